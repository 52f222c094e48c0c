// Package packaging holds what turns Pickup into installable packages and
// the tests that install them. The files beside this one are the inputs of
// scripts/package.sh (make packages): linux/ the nfpm configs, desktop entry,
// AppStream metadata, systemd unit and maintainer scripts of the two .debs;
// windows/ the wixl source of the MSI and its build step. README.md says
// what each lintian override is for.
//
// The tests need the packages built (PICKUP_DIST=dist after
// scripts/package.sh, as scripts/test.sh does) and root: they install the
// .debs in a fresh Debian root (debootstrap minbase, cached under
// /var/cache/pickup-test) and run the programs there. They skip otherwise.
package packaging

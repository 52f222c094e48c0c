// Package scan reads pickup codes from images.
package scan

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
)

// argOptions are those of a command with one argument and no flags of
// its own (import-pickups FILE.csv, lookup CODE, undo EVENT_ID).
type argOptions struct {
	*ctx
	arg string
}

// argCmd builds a command with one argument (named what in the
// messages) and no flags of its own.
func argCmd(c *ctx, use, short, what string, run func(context.Context, *argOptions) error) *cobra.Command {
	o := &argOptions{ctx: c}
	return cmdkit.Command(o, run, use, short, cmdkit.Arg(&o.arg, what))
}

// plainCmd builds a command with no flags or arguments of its own.
func plainCmd(c *ctx, use, short string, run func(context.Context, *ctx) error) *cobra.Command {
	return cmdkit.Command(c, run, use, short)
}

type initOptions struct {
	*ctx
	centre, name, campaign, address, hours, terminal string
}

func newCmdInit(o *initOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runInit), "init --centre ID --name NAME [--campaign ID] [--address A] [--hours H]",
		"set up a stand-alone terminal (before any registry)",
		cmdkit.Bind(cmdkit.Require(func() bool { return o.centre != "" && o.name != "" }, "--centre and --name are required")),
		cmdkit.Flag(&o.centre, "centre", "", "the centre's id (required)"),
		cmdkit.Flag(&o.name, "name", "", "the centre's name, as shown on screen (required)"),
		cmdkit.Flag(&o.campaign, "campaign", pickup.DefaultCampaignID, "campaign id (built in: oct2020-strategic, may2020-masks)"),
		cmdkit.Flag(&o.address, "address", "", "the centre's address"),
		cmdkit.Flag(&o.hours, "hours", "", "the centre's opening hours"),
		cmdkit.Flag(&o.terminal, "terminal", "", "this counter's name (default \"counter\")"),
		cmdkit.Complete("campaign", "oct2020-strategic", "may2020-masks"))
}

func runInit(ctx context.Context, c *initOptions, s *store.Store) error {
	id, err := s.Init(ctx, store.InitOptions{CentreID: c.centre, CentreName: c.name, CampaignID: c.campaign,
		Address: c.address, Hours: c.hours, TerminalName: c.terminal})
	if err != nil {
		return err
	}
	return c.result(map[string]any{"terminal_id": id.TerminalID, "centre": id.Centre, "campaign_id": id.CampaignID, "data": c.data},
		"Terminal %s set up for centre %s (%s), campaign %s.\nData folder: %s\nNext: pickup import-pickups FILE.csv\n",
		id.TerminalID, id.Centre.ID, id.Centre.Name, id.CampaignID, c.data)
}

func newCmdImport(c *ctx) *cobra.Command {
	return argCmd(c, "import-pickups FILE.csv", "load expected pickups from a CSV list (USB stick or registry export)", "FILE.csv", runImport)
}

func runImport(ctx context.Context, c *argOptions) error {
	path := c.arg
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("import: %s is a folder, not a CSV file", path)
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.ImportPickups(ctx, f)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	return c.result(res,
		"Imported %d pickups from %s: %d new, %d updated, %d for other centres.\n", res.Rows, path, res.New, res.Updated, res.OtherCentres)
}

// verdictJSON is the stable JSON shape of a verdict.
func (c *ctx) verdictJSON(v pickup.Verdict, camp *pickup.Campaign) map[string]any {
	m := map[string]any{"verdict": v.Kind, "message": c.tr.Describe(v, camp, time.Local)}
	if v.Code != "" {
		m["code"] = v.Code.String()
	}
	if p := v.Pickup; p != nil {
		m["name"], m["profession"], m["parcel_kind"], m["centre_id"] = p.Name, p.Profession, p.ParcelKind, p.CentreID
		m["window_start"], m["window_end"] = p.Window.Start.String(), p.Window.End.String()
	}
	if v.Contents != nil {
		m["contents"] = v.Contents
	}
	if v.OnSignature {
		m["on_signature"] = true
	}
	if v.Collected != nil {
		m["collected"] = v.Collected
	}
	if !v.Opens.IsZero() {
		m["opens"] = v.Opens.String()
	}
	if !v.Closed.IsZero() {
		m["closed"] = v.Closed.String()
	}
	if v.RightCentre != nil {
		m["right_centre"] = v.RightCentre
	}
	if v.Kind == pickup.VerdictUnknownCode {
		m["last_refresh"] = v.LastRefresh
	}
	if v.Reason != "" {
		m["reason"] = v.Reason
	}
	return m
}

var verdictMark = map[pickup.VerdictKind]string{pickup.VerdictOK: "✔"}

func (c *ctx) printVerdict(v pickup.Verdict, camp *pickup.Campaign) {
	msg := c.tr.Describe(v, camp, time.Local)
	mark := verdictMark[v.Kind]
	if mark == "" {
		mark = "✖"
	}
	c.printf("%s %s  [%s]\n", mark, msg.Title, v.Kind)
	if v.Code != "" {
		c.printf("  %s\n", v.Code)
	}
	for _, d := range msg.Detail {
		c.printf("  %s\n", d)
	}
	c.printf("  → %s\n", msg.Next)
}

func newCmdLookup(c *ctx) *cobra.Command {
	return argCmd(c, "lookup CODE", "check a code and print its verdict (typed, scanned, or a signed QR payload)", "CODE", withStore(runLookup))
}

func runLookup(ctx context.Context, c *argOptions, s *store.Store) error {
	v, err := s.Lookup(ctx, c.arg)
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(c.verdictJSON(v.Verdict, v.Campaign))
	} else {
		c.printVerdict(v.Verdict, v.Campaign)
	}
	if !v.OK() {
		return refused(nil)
	}
	return nil
}

type handoverOptions struct {
	*ctx
	gloveSize, volunteer string
	code                 string
	owe                  bool
}

func newCmdHandover(o *handoverOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runHandover), "handover [--glove-size S|M|L|XL] [--owe] [--volunteer NAME] CODE",
		"hand over the parcel of a code (or the gloves it is owed) and record it; prints the event id", cmdkit.Arg(&o.code, "CODE"),
		cmdkit.Flag(&o.gloveSize, "glove-size", "", "glove size chosen (S, M, L, XL); omit for parcels without gloves"),
		cmdkit.Flag(&o.owe, "owe", false, "when every glove size is out: hand over the rest and record the gloves as owed"),
		cmdkit.Flag(&o.volunteer, "volunteer", "", "who hands over"),
		cmdkit.Complete("glove-size", "S", "M", "L", "XL"))
}

func runHandover(ctx context.Context, c *handoverOptions, s *store.Store) error {
	code := c.code
	req := store.HandoverRequest{Input: code, GloveSize: c.gloveSize, Volunteer: c.volunteer, Owe: c.owe}
	res, err := s.Handover(ctx, req)
	owedHandover := err == nil && res.Verdict.Kind == pickup.VerdictOwed
	if owedHandover {
		// The code was handed over owing gloves: these are what is handed over now.
		res, err = s.DeliverOwed(ctx, req)
	}
	var se *store.SizeError
	if errors.As(err, &se) {
		return c.sizeRefusal(res, se)
	}
	if err != nil {
		return err
	}
	camp := res.Campaign
	if res.EventID == "" {
		if c.json {
			m := c.verdictJSON(res.Verdict, camp)
			m["handed_over"] = false
			c.printJSON(m)
		} else {
			c.printVerdict(res.Verdict, camp)
		}
		return refused(nil)
	}
	if c.json {
		m := c.verdictJSON(res.Verdict, camp)
		m["handed_over"], m["event_id"], m["at"], m["items"] = true, res.EventID, res.At, res.Items
		if owedHandover {
			m["owed_handover"] = true
		} else {
			m["undo_until"] = res.UndoUntil
		}
		if len(res.Owed) > 0 {
			m["owed"] = res.Owed
		}
		c.printJSON(m)
		return nil
	}
	done := c.tr.T("handover.done")
	if owedHandover {
		done = c.tr.T("owed.handed.title")
	}
	c.printf("✔ %s: %s\n", done, res.Verdict.Code)
	if p := res.Verdict.Pickup; p != nil && p.Name != "" {
		c.printf("  %s — %s\n", p.Name, c.tr.Profession(camp, p.Profession))
	}
	c.printf("  %s\n", c.tr.Contents(camp, res.Items))
	if len(res.Owed) > 0 {
		c.printf("  %s\n", c.tr.T("owed.recorded", "items", c.tr.Contents(camp, res.Owed)))
	}
	if owedHandover {
		c.printf("  event %s\n", res.EventID)
	} else {
		c.printf("  event %s (undo until %s: pickup undo %s)\n", res.EventID, res.UndoUntil.Local().Format("15:04:05"), res.EventID)
	}
	return nil
}

func (c *ctx) sizeRefusal(res store.HandoverResult, se *store.SizeError) error {
	msg, left := c.tr.SizeRefusal(res.Campaign, se.SizeRefusal)
	if c.json {
		m := c.verdictJSON(res.Verdict, res.Campaign)
		m["handed_over"], m["error"], m["message_text"], m["sizes_left"] = false, errorCode(se), msg+" "+left, se.Available
		c.printJSON(m)
	} else {
		fmt.Fprintf(c.Stderr, "✖ %s\n  → %s\n", msg, left)
	}
	return refused(nil)
}

func newCmdUndo(c *ctx) *cobra.Command {
	return argCmd(c, "undo EVENT_ID", "undo a handover within the undo window: a compensating event, never a delete", "EVENT_ID", withStore(runUndo))
}

func runUndo(ctx context.Context, c *argOptions, s *store.Store) error {
	res, err := s.Undo(ctx, c.arg)
	if err != nil {
		if errors.Is(err, store.ErrUndoExpired) || errors.Is(err, store.ErrAlreadyUndone) || errors.Is(err, store.ErrNotUndoable) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrClockBackwards) {
			return refused(err)
		}
		return err
	}
	return c.result(res, "✔ %s: %s (undo event %s)\n", c.tr.T("handover.undone"), pickup.Code(res.Code), res.EventID)
}

func newCmdStock(c *ctx) *cobra.Command {
	return cmdkit.Command(c, withSetUpStore(runStock), "stock",
		"stock on hand per item and size; 'stock receive', 'stock count' and 'stock loss' record movements, 'stock history' lists them",
		cmdkit.Args(func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown stock command %q (stock, stock receive, stock count, stock loss, stock history)", args[0])
			}
			return nil
		}),
		cmdkit.Sub(newCmdStockMove(c, "receive"), newCmdStockMove(c, "count"), newCmdStockMove(c, "loss"),
			newCmdStockHistory(&stockHistoryOptions{ctx: c})))
}

func runStock(ctx context.Context, c *ctx, s *store.Store) error {
	lines, err := s.Stock(ctx)
	if err != nil {
		return err
	}
	if c.json {
		m := map[string]int{}
		for _, l := range lines {
			m[l.Key()] = l.Qty
		}
		c.printJSON(map[string]any{"stock": m, "lines": lines})
		return nil
	}
	lb := c.labels(ctx, s)
	for _, l := range lines {
		c.printf("  %-28s %9d\n", lb.item(l.Item, l.Size), l.Qty)
	}
	return nil
}

type stockMoveOptions struct {
	*ctx
	sub                          string // receive or count
	item, size, qty, ref, reason string
	shipment                     string
}

func newCmdStockMove(c *ctx, sub string) *cobra.Command {
	o := &stockMoveOptions{ctx: c, sub: sub}
	use, short := "receive --item ITEM [--size S] --qty N [--ref R] | --shipment ID|all [--qty RECEIVED --reason TEXT]",
		"record a delivery (or a shipment the registry sent, with the quantity that actually came) into stock"
	switch sub {
	case "count":
		use, short = "count --item ITEM [--size S] --qty N --reason TEXT", "record a physical count (the difference is kept with its reason)"
	case "loss":
		use, short = "loss --item ITEM [--size S] --qty N --reason TEXT", "record stock lost (damaged, expired, stolen) with its reason"
	}
	cmd := cmdkit.Command(o, runStockMove, use, short,
		cmdkit.Flag(&o.item, "item", "", "item id (gloves, gowns, glasses, masks, …)"),
		cmdkit.Flag(&o.size, "size", "", "size, for items that come in sizes (gloves: S, M, L, XL)"),
		cmdkit.Flag(&o.qty, "qty", "", "quantity in units"),
		cmdkit.Flag(&o.ref, "ref", "", "reference of the delivery (receive)"),
		cmdkit.Flag(&o.reason, "reason", "", "why the count differs, why stock was lost, or why a shipment came short (required for count and loss)"),
		cmdkit.Complete("item", "gloves", "masks", "gowns", "glasses"), cmdkit.Complete("size", "S", "M", "L", "XL"))
	if sub == "receive" {
		cmdkit.Flag(&o.shipment, "shipment", "", "receive a shipment the registry sent, by id ('all' for every one not yet received, as sent; see 'pickup shipments'); --qty the units that came when fewer or more, with --reason")(cmd)
	}
	return cmd
}

func runStockMove(ctx context.Context, c *stockMoveOptions) error {
	sub, item, size, qty, ref, reason := c.sub, &c.item, &c.size, &c.qty, &c.ref, &c.reason
	if c.shipment != "" {
		if *item != "" || *size != "" || *ref != "" {
			return usagef("--shipment takes its item from the shipment: leave out --item, --size and --ref")
		}
		if c.shipment == "all" && (*qty != "" || *reason != "") {
			return usagef("--shipment all receives every shipment as sent: give one shipment id with --qty and --reason")
		}
		received := -1
		if *qty != "" {
			n, err := strconv.Atoi(strings.ReplaceAll(*qty, "_", ""))
			if err != nil || n < 0 {
				return usagef("--qty %q: want the whole number of units that came (0 when none did)", *qty)
			}
			received = n
		}
		return receiveShipments(ctx, c.ctx, c.shipment, received, *reason)
	}
	if *item == "" || *qty == "" {
		return usagef("--item and --qty are required")
	}
	n, err := strconv.Atoi(strings.ReplaceAll(*qty, "_", ""))
	if err != nil {
		return usagef("--qty %q is not a whole number", *qty)
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var res store.StockResult
	switch sub {
	case "receive":
		if *reason != "" {
			return usagef("--reason goes with 'stock count', 'stock loss' or a short shipment; use --ref for a delivery")
		}
		res, err = s.ReceiveStock(ctx, *item, *size, n, *ref)
	case "loss":
		res, err = s.RecordLoss(ctx, *item, *size, n, *reason)
	default:
		res, err = s.CountStock(ctx, *item, *size, n, *reason)
	}
	if err != nil {
		return err
	}
	key := store.StockLine{Item: res.Item, Size: res.Size}.Key()
	return c.result(res, "✔ %s %+d → %d on hand (event %s)\n", key, res.Delta, res.OnHand, res.EventID)
}

func receiveShipments(ctx context.Context, c *ctx, which string, qty int, reason string) error {
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ids := []string{which}
	if which == "all" {
		shs, err := s.Shipments(ctx)
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, sh := range shs {
			if !sh.Received {
				ids = append(ids, sh.ID)
			}
		}
	}
	var results []store.StockResult
	for _, id := range ids {
		res, err := s.ReceiveShipmentLine(ctx, id, qty, reason)
		if err != nil {
			if errors.Is(err, store.ErrAlreadyReceived) || errors.Is(err, store.ErrNotFound) {
				return refused(err)
			}
			return err
		}
		results = append(results, res)
		if !c.json {
			c.printf("✔ shipment %s: %s %+d → %d on hand\n", id, store.StockLine{Item: res.Item, Size: res.Size}.Key(), res.Delta, res.OnHand)
		}
	}
	if c.json {
		c.printJSON(cmdkit.List("received", results))
	} else if len(ids) == 0 {
		c.printf("No shipment waiting.\n")
	}
	return nil
}

func newCmdShipments(c *ctx) *cobra.Command {
	return showCmd(c, "shipments", "stock the registry sent to this centre (in transit or received)", withStore, (*store.Store).Shipments, listed("shipments", printShipments))
}

// printShipments is shipments' text.
func printShipments(ctx context.Context, c *ctx, s *store.Store, shs []store.Shipment) error {
	lb := c.labels(ctx, s)
	for _, sh := range shs {
		state := "in transit"
		if sh.Received {
			state = "received"
		}
		c.printf("%s  %s  %-24s %8d  %s\n", sh.ID, sh.SentAt.Local().Format("2006-01-02"), lb.item(sh.Item, sh.Size), sh.Qty, state)
	}
	c.printf("%d shipments ('pickup stock receive --shipment ID' when one arrives)\n", len(shs))
	return nil
}

// showCmd builds a command with no flags or arguments of its own that
// reads one thing (get) from the store open opens (withStore or
// withSetUpStore) and prints it (show).
func showCmd[T any](c *ctx, use, short string, open func(func(context.Context, *ctx, *store.Store) error) func(context.Context, *ctx) error,
	get func(*store.Store, context.Context) (T, error), show func(context.Context, *ctx, *store.Store, T) error) *cobra.Command {
	return plainCmd(c, use, short, open(func(ctx context.Context, c *ctx, s *store.Store) error {
		v, err := get(s, ctx)
		if err != nil {
			return err
		}
		return show(ctx, c, s, v)
	}))
}

// listed is showCmd's show for a list: {key: [...]} with --json, else
// the text.
func listed[T any](key string, text func(context.Context, *ctx, *store.Store, []T) error) func(context.Context, *ctx, *store.Store, []T) error {
	return func(ctx context.Context, c *ctx, s *store.Store, xs []T) error {
		return printList(c, key, xs, nil, func() error { return text(ctx, c, s, xs) })
	}
}

// printList prints list (read with err) in JSON under key with --json,
// else as text.
func printList[T any](c hasCtx, key string, list []T, err error, text func() error) error {
	if err != nil {
		return err
	}
	if c.cliCtx().json {
		c.cliCtx().printJSON(cmdkit.List(key, list))
		return nil
	}
	return text()
}

func newCmdStatus(c *ctx) *cobra.Command {
	return showCmd(c, "status", "centre, campaign, counts, stock, pending uploads, conflicts, last sync, and when each item runs out", withStore, (*store.Store).Status, printStatus)
}

// printStatus is status's text or JSON, with the forecast.
func printStatus(ctx context.Context, c *ctx, s *store.Store, st store.Status) error {
	fc, err := s.Forecast(ctx)
	if err != nil {
		return err
	}
	recommended, _ := s.Setting(ctx, client.KeyRecommendedVersion)
	this, _ := buildinfo.Info()
	if c.json {
		var lastSync any
		if !st.LastSync.IsZero() {
			lastSync = st.LastSync
		}
		c.printJSON(map[string]any{
			"terminal_id": st.TerminalID, "terminal_name": st.TerminalName, "centre": st.Centre,
			"campaign_id": st.CampaignID, "campaign_name": st.CampaignName,
			"expected": st.Expected, "collected": st.Collected, "remaining": st.Remaining, "cancelled": st.Cancelled,
			"handed_over_today": st.HandedOverToday, "pending_upload": st.PendingUpload, "conflicts": st.Conflicts,
			"owed": st.Owed, "stock": st.StockMap(), "last_sync": lastSync, "last_refresh": st.LastRefresh, "data": c.data,
			"forecast": fc, "recommended_version": recommended, "version": this,
		})
		return nil
	}
	lb := c.labels(ctx, s)
	c.printf("Centre     %s (%s)\nTerminal   %s (%s)\nCampaign   %s\n", st.Centre.Name, st.Centre.ID, st.TerminalName, st.TerminalID, st.CampaignName)
	c.printf("Pickups    %d expected, %d collected, %d still to come, %d cancelled\n", st.Expected, st.Collected, st.Remaining, st.Cancelled)
	c.printf("Today      %d handed over\n", st.HandedOverToday)
	if st.Owed > 0 {
		c.printf("Owed       %d parcels still owed their gloves (hand them over at the next scan)\n", st.Owed)
	}
	c.printf("Sync       %d waiting to upload, %d conflicts, last sync %s, list updated %s\n",
		st.PendingUpload, st.Conflicts, c.tr.DateTime(st.LastSync, time.Local), c.tr.DateTime(st.LastRefresh, time.Local))
	if note := versionNote(c, recommended); note != "" {
		c.printf("Version    %s\n", note)
	}
	c.printf("Stock      on hand  in transit   still needed   short by   runs out\n")
	for _, f := range fc.Lines {
		out := "lasts"
		switch {
		case f.Short():
			out = c.tr.Date(f.RunsOut.Year, f.RunsOut.Month, f.RunsOut.Day)
		case f.Need == 0:
			out = "nothing expected"
		}
		c.printf("  %-24s %7d %11d %14d %10d   %s\n", lb.item(f.Item, f.Size), f.OnHand, f.InTransit, f.Need, f.ShortBy, out)
	}
	c.printf("  (still needed: the parcels still expected, their windows not over; spread %s; glove sizes %s)\n",
		paceWords(fc.Pace), mixWords(fc))
	return nil
}

// paceWords says in English how the forecast spread the expected parcels.
func paceWords(pace string) string {
	if pace == pickup.PaceWeekdays {
		return "by this centre's handovers per day of the week"
	}
	return "evenly over the days left in their windows"
}

// mixWords says in English where the forecast's glove-size split comes
// from.
func mixWords(fc pickup.Forecast) string {
	for _, f := range fc.Lines {
		switch f.Mix {
		case pickup.MixCentre:
			return "by the mix chosen so far at this centre"
		case pickup.MixPlan:
			return "by the registry's plan (too few chosen here yet)"
		case pickup.MixEven:
			return "split evenly (none chosen here yet)"
		}
	}
	return "not needed"
}

type handoversOptions struct {
	*ctx
	days int
	date string
}

func newCmdHandovers(o *handoversOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runHandovers), "handovers [--days N | --date YYYY-MM-DD]", "the handovers at this centre today, of the last days or of one day",
		cmdkit.Bind(cmdkit.Require(func() bool { return o.days >= 1 }, "--days must be 1 or more")),
		cmdkit.Flag(&o.days, "days", 1, "how many days back (1 = today)"),
		cmdkit.Flag(&o.date, "date", "", "one day, YYYY-MM-DD (the centre's time); double handovers are marked"),
		cmdkit.Exclusive("days", "date"))
}

// maxCLIHandovers bounds one day's list on the command line.
const maxCLIHandovers = 100_000

func runHandovers(ctx context.Context, c *handoversOptions, s *store.Store) error {
	if c.date == "" {
		hs, err := s.Handovers(ctx, s.DayStart(s.Today().AddDays(1-c.days)), 0)
		return printList(c, "handovers", hs, err, func() error { return printHandovers(c.ctx, c.labels(ctx, s), hs) })
	}
	d, err := pickup.ParseDate(c.date)
	if err != nil {
		return cmdkit.Usagef("--date %q: want YYYY-MM-DD, e.g. %s", c.date, s.Today())
	}
	day, err := s.HandoversOn(ctx, d, maxCLIHandovers)
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(day)
		return nil
	}
	if err := printHandovers(c.ctx, c.labels(ctx, s), day.Handovers); err != nil {
		return err
	}
	c.printf("%d double handovers\n", day.Doubles)
	return nil
}

// printHandovers prints a list of handovers, one a line, then their count.
func printHandovers(c *ctx, lb labels, hs []store.Handed) error {
	for _, h := range hs {
		state := ""
		if h.Undone {
			state = " (undone)"
		}
		if h.Double {
			state += " DOUBLE"
		}
		c.printf("%s  %s  %-24s %-28s %-3s %s%s\n", h.At.Local().Format("2006-01-02 15:04"), h.Code, h.Name, lb.profession(h.Profession), h.GloveSize, counterOf(h.Counter, h.TerminalID), state)
	}
	c.printf("%d handovers\n", len(hs))
	return nil
}

type expectedOptions struct {
	*ctx
	search string
	limit  int
}

func newCmdExpected(o *expectedOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runExpected), "expected [--search TEXT] [--limit N]", "the pickups still to come at this centre, searched by name or code",
		cmdkit.Bind(cmdkit.Require(func() bool { return o.limit >= 1 && o.limit <= 100_000 }, "--limit must be between 1 and 100000")),
		cmdkit.Flag(&o.search, "search", "", "a whole code (any way it is typed), or words of the name (case and accents ignored)"),
		cmdkit.Flag(&o.limit, "limit", store.DefaultListLimit, "how many to list"))
}

func runExpected(ctx context.Context, c *expectedOptions, s *store.Store) error {
	l, err := s.Expected(ctx, c.search, c.limit)
	if store.CodeOf(err) == store.CodeInvalid {
		return cmdkit.Usagef("--search: %v", err)
	}
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(l)
		return nil
	}
	lb := c.labels(ctx, s)
	for _, p := range l.Pickups {
		state := ""
		if p.Collected {
			state = "  (collected)"
		} else if p.Status == pickup.StatusCancelled {
			state = "  (cancelled)"
		}
		c.printf("%s  %-24s %-28s %-14s %s – %s%s\n", p.Code.String(), p.Name, lb.profession(p.Profession), p.ParcelKind, p.Window.Start, p.Window.End, state)
	}
	more := ""
	if l.More {
		more = " or more"
	}
	c.printf("%d of %d%s\n", len(l.Pickups), l.Total, more)
	return nil
}

func newCmdConflicts(c *ctx) *cobra.Command {
	return showCmd(c, "conflicts", "codes handed over more than once", withSetUpStore, (*store.Store).Conflicts, listed("conflicts", printConflicts))
}

// printConflicts is conflicts' text: the handovers of each code, then its
// reviews.
func printConflicts(ctx context.Context, c *ctx, s *store.Store, cs []store.Conflict) error {
	cases, err := s.ConflictCases(ctx)
	if err != nil {
		return err
	}
	reviews := map[string][]store.ConflictReview{}
	for _, cc := range cases {
		reviews[cc.Code] = cc.Reviews
	}
	for i, x := range cs {
		c.printf("%s  %s  centre %s, counter %s\n", x.Code, x.At.Local().Format("2006-01-02 15:04"), x.CentreID, counterOf(x.Counter, x.TerminalID))
		if i+1 == len(cs) || cs[i+1].Code != x.Code {
			for _, r := range reviews[x.Code] {
				c.printf("    reviewed %s at counter %s: %s\n", r.At.Local().Format("2006-01-02 15:04"), counterOf(r.Counter, r.TerminalID), r.Note)
			}
		}
	}
	c.printf("%d handovers involved in double handovers\n", len(cs))
	return nil
}

// counterOf names a counter: its name when known, else its terminal id.
func counterOf(name, terminalID string) string {
	if name != "" {
		return name
	}
	return terminalID
}

type reviewOptions struct {
	*ctx
	code, note string
}

func newCmdReviewConflict(o *reviewOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runReviewConflict), "review-conflict --note TEXT CODE",
		"mark a double handover reviewed with a note (it reaches the registry and the centre's other counters)", cmdkit.Arg(&o.code, "CODE"),
		cmdkit.Flag(&o.note, "note", "", "what was found out (required, at most 2000 bytes)"))
}

func runReviewConflict(ctx context.Context, c *reviewOptions, s *store.Store) error {
	r, err := s.ReviewConflict(ctx, c.code, c.note)
	if err != nil {
		return err
	}
	return c.result(r,
		"Review of %s recorded (event %s): it goes to the registry at the next sync.\n", pickup.Code(strings.ReplaceAll(r.Code, "-", "")).Masked(), r.EventID)
}

type demoOptions struct {
	*ctx
	pickups int
}

func newCmdDemo(o *demoOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runDemo), "demo [--pickups N]", "fill an empty terminal with realistic synthetic pickups around today, and stock",
		cmdkit.Bind(cmdkit.Require(func() bool { return o.pickups >= 1 && o.pickups <= 2_000_000 }, "--pickups must be between 1 and 2000000")),
		cmdkit.Flag(&o.pickups, "pickups", 400, "how many pickups to make"))
}

func runDemo(ctx context.Context, c *demoOptions, s *store.Store) error {
	res, err := s.Demo(ctx, c.pickups)
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(res)
		return nil
	}
	if res.Created {
		c.printf("Demo terminal ready in %s: %d pickups, stock received.\n", c.data, res.Pickups)
	} else {
		c.printf("Demo terminal already set up in %s (%d pickups).\n", c.data, res.Pickups)
	}
	c.printf("Try these codes (pickup --data %s lookup CODE):\n", c.data)
	for _, k := range append([]pickup.VerdictKind{"ok", "ok_masks_only"}, pickup.VerdictKinds[1:]...) {
		if code, ok := res.Samples[k]; ok {
			c.printf("  %-18s %s\n", k, code)
		}
	}
	c.printf("  %-18s %s\n", "signed (QR)", res.SignedSample)
	return nil
}

func newCmdVerifyLog(c *ctx) *cobra.Command {
	return showCmd(c, "verify-log", "check the handover log's hash chain; name the first broken entry", withStore, (*store.Store).VerifyLog, printVerifyLog)
}

// printVerifyLog says whether the log is intact (exit 1 when not).
func printVerifyLog(_ context.Context, c *ctx, _ *store.Store, res store.VerifyResult) error {
	if c.json {
		c.printJSON(res)
	} else if res.OK {
		c.printf("✔ handover log intact: %d entries\n", res.Entries)
	} else {
		c.printf("✖ handover log broken at entry %d (event %s): %s\n  %d entries read\n", res.Seq, res.EventID, res.Reason, res.Entries)
	}
	if !res.OK {
		return refused(nil)
	}
	return nil
}

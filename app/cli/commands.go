package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

func init() {
	register(
		&command{name: "init", summary: "set up a stand-alone terminal (before any registry)",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.strFlag(fs, "centre", "", "the centre's id (required)")
				c.strFlag(fs, "name", "", "the centre's name, as shown on screen (required)")
				c.strFlag(fs, "campaign", pickup.DefaultCampaignID, "campaign id (built in: oct2020-strategic, may2020-masks)")
				c.strFlag(fs, "address", "", "the centre's address")
				c.strFlag(fs, "hours", "", "the centre's opening hours")
				c.strFlag(fs, "terminal", "", "this counter's name (default \"counter\")")
			}, run: runInit},
		&command{name: "import-pickups", args: "FILE.csv", summary: "load expected pickups from a CSV list (USB stick or registry export)", run: runImport},
		&command{name: "lookup", args: "CODE", summary: "check a code and print its verdict", run: runLookup},
		&command{name: "handover", args: "CODE", summary: "hand over the parcel of a code and record it",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.strFlag(fs, "glove-size", "", "glove size chosen (S, M, L, XL); omit for parcels without gloves")
				c.strFlag(fs, "volunteer", "", "who hands over")
			}, run: runHandover},
		&command{name: "undo", args: "EVENT_ID", summary: "undo a handover within the undo window", run: runUndo},
		&command{name: "stock", args: "[receive|count]", summary: "show stock on hand; 'stock receive' and 'stock count' record movements",
			flags: func(fs *flag.FlagSet, c *ctx) {}, run: runStock},
		&command{name: "status", summary: "centre, campaign, counts, stock, pending uploads, conflicts, last sync", run: runStatus},
		&command{name: "handovers", summary: "list today's handovers at this centre",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.intFlag(fs, "days", 1, "how many days back (1 = today)")
			}, run: runHandovers},
		&command{name: "shipments", summary: "list the stock the registry sent to this centre", run: runShipments},
		&command{name: "conflicts", summary: "list codes handed over more than once", run: runConflicts},
		&command{name: "demo", summary: "fill an empty terminal with realistic synthetic pickups and stock",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.intFlag(fs, "pickups", 400, "how many pickups to make")
			}, run: runDemo},
		&command{name: "verify-log", summary: "check the handover log's hash chain; name the first broken entry", run: runVerifyLog},
	)
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

func oneArg(args []string, what string) (string, error) {
	switch {
	case len(args) == 0:
		return "", usagef("missing %s", what)
	case len(args) > 1:
		return "", usagef("one %s at a time (got %d arguments; flags go before the %s)", what, len(args), what)
	}
	return args[0], nil
}

func runInit(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.str("centre") == "" || c.str("name") == "" {
		return usagef("--centre and --name are required")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := s.Init(ctx, store.InitOptions{CentreID: c.str("centre"), CentreName: c.str("name"), CampaignID: c.str("campaign"),
		Address: c.str("address"), Hours: c.str("hours"), TerminalName: c.str("terminal")})
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(map[string]any{"terminal_id": id.TerminalID, "centre": id.Centre, "campaign_id": id.CampaignID, "data": c.data})
		return nil
	}
	c.printf("Terminal %s set up for centre %s (%s), campaign %s.\nData folder: %s\nNext: pickup import-pickups FILE.csv\n",
		id.TerminalID, id.Centre.ID, id.Centre.Name, id.CampaignID, c.data)
	return nil
}

func runImport(ctx context.Context, c *ctx, args []string) error {
	path, err := oneArg(args, "FILE.csv")
	if err != nil {
		return err
	}
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
	if c.json {
		c.printJSON(res)
		return nil
	}
	c.printf("Imported %d pickups from %s: %d new, %d updated, %d for other centres.\n", res.Rows, path, res.New, res.Updated, res.OtherCentres)
	return nil
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

func runLookup(ctx context.Context, c *ctx, args []string) error {
	code, err := oneArg(args, "CODE")
	if err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.Lookup(ctx, code)
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

func runHandover(ctx context.Context, c *ctx, args []string) error {
	code, err := oneArg(args, "CODE")
	if err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Handover(ctx, store.HandoverRequest{Input: code, GloveSize: c.str("glove-size"), Volunteer: c.str("volunteer")})
	var se *store.SizeError
	if errors.As(err, &se) {
		return c.sizeRefusal(res, se)
	}
	if err != nil {
		return err
	}
	camp := res.Campaign
	if !res.Verdict.OK() {
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
		m["undo_until"] = res.UndoUntil
		c.printJSON(m)
		return nil
	}
	c.printf("✔ %s: %s\n", c.tr.T("handover.done"), res.Verdict.Code)
	if p := res.Verdict.Pickup; p != nil && p.Name != "" {
		c.printf("  %s — %s\n", p.Name, c.tr.Profession(camp, p.Profession))
	}
	c.printf("  %s\n", c.tr.Contents(camp, res.Items))
	c.printf("  event %s (undo until %s: pickup undo %s)\n", res.EventID, res.UndoUntil.Local().Format("15:04:05"), res.EventID)
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

func runUndo(ctx context.Context, c *ctx, args []string) error {
	id, err := oneArg(args, "EVENT_ID")
	if err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Undo(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrUndoExpired) || errors.Is(err, store.ErrAlreadyUndone) || errors.Is(err, store.ErrNotUndoable) || errors.Is(err, store.ErrNotFound) {
			return refused(err)
		}
		return err
	}
	if c.json {
		c.printJSON(res)
		return nil
	}
	c.printf("✔ %s: %s (undo event %s)\n", c.tr.T("handover.undone"), pickup.Code(res.Code), res.EventID)
	return nil
}

func runStock(ctx context.Context, c *ctx, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "receive", "count":
			return runStockMove(ctx, c, args[0], args[1:])
		default:
			return usagef("unknown stock command %q (stock, stock receive, stock count)", args[0])
		}
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Identity(ctx); err != nil {
		return err
	}
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
	camp, _ := s.Campaign(ctx, "")
	for _, l := range lines {
		name := c.tr.ItemName(camp, l.Item)
		if l.Size != "" {
			name += " " + l.Size
		}
		c.printf("  %-28s %9d\n", name, l.Qty)
	}
	return nil
}

func runStockMove(ctx context.Context, c *ctx, sub string, args []string) error {
	fs := flag.NewFlagSet("pickup stock "+sub, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	item := fs.String("item", "", "item id (gloves, gowns, glasses, masks, …)")
	size := fs.String("size", "", "size, for items that come in sizes (gloves: S, M, L, XL)")
	qty := fs.String("qty", "", "quantity in units")
	ref := fs.String("ref", "", "reference of the delivery (receive)")
	reason := fs.String("reason", "", "why the count differs (count; required)")
	shipment := ""
	if sub == "receive" {
		fs.StringVar(&shipment, "shipment", "", "receive a shipment the registry sent, by id ('all' for every one not yet received; see 'pickup shipments')")
	}
	fs.StringVar(&c.data, "data", c.data, "data folder")
	fs.BoolVar(&c.json, "json", c.json, "print machine-readable JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if err := noArgs(fs.Args()); err != nil {
		return err
	}
	if shipment != "" {
		if *item != "" || *qty != "" {
			return usagef("--shipment takes its items from the shipment: leave out --item and --qty")
		}
		return receiveShipments(ctx, c, shipment)
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
	if sub == "receive" {
		if *reason != "" {
			return usagef("--reason goes with 'stock count'; use --ref for a delivery")
		}
		res, err = s.ReceiveStock(ctx, *item, *size, n, *ref)
	} else {
		res, err = s.CountStock(ctx, *item, *size, n, *reason)
	}
	if err != nil {
		return err
	}
	if c.json {
		c.printJSON(res)
		return nil
	}
	key := store.StockLine{Item: res.Item, Size: res.Size}.Key()
	c.printf("✔ %s %+d → %d on hand (event %s)\n", key, res.Delta, res.OnHand, res.EventID)
	return nil
}

func receiveShipments(ctx context.Context, c *ctx, which string) error {
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
		res, err := s.ReceiveShipment(ctx, id)
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
		if results == nil {
			results = []store.StockResult{}
		}
		c.printJSON(map[string]any{"received": results})
	} else if len(ids) == 0 {
		c.printf("No shipment waiting.\n")
	}
	return nil
}

func runShipments(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	shs, err := s.Shipments(ctx)
	if err != nil {
		return err
	}
	if c.json {
		if shs == nil {
			shs = []store.Shipment{}
		}
		c.printJSON(map[string]any{"shipments": shs})
		return nil
	}
	camp, _ := s.Campaign(ctx, "")
	for _, sh := range shs {
		state := "in transit"
		if sh.Received {
			state = "received"
		}
		name := c.tr.ItemName(camp, sh.Item)
		if sh.Size != "" {
			name += " " + sh.Size
		}
		c.printf("%s  %s  %-24s %8d  %s\n", sh.ID, sh.SentAt.Local().Format("2006-01-02"), name, sh.Qty, state)
	}
	c.printf("%d shipments ('pickup stock receive --shipment ID' when one arrives)\n", len(shs))
	return nil
}

func runStatus(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Status(ctx)
	if err != nil {
		return err
	}
	runway, err := s.Forecast(ctx, 7)
	if err != nil {
		return err
	}
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
			"stock": st.StockMap(), "last_sync": lastSync, "last_refresh": st.LastRefresh, "data": c.data,
			"forecast": runway,
		})
		return nil
	}
	camp, _ := s.Campaign(ctx, "")
	c.printf("Centre     %s (%s)\nTerminal   %s (%s)\nCampaign   %s\n", st.Centre.Name, st.Centre.ID, st.TerminalName, st.TerminalID, st.CampaignName)
	c.printf("Pickups    %d expected, %d collected, %d still to come, %d cancelled\n", st.Expected, st.Collected, st.Remaining, st.Cancelled)
	c.printf("Today      %d handed over\n", st.HandedOverToday)
	c.printf("Sync       %d waiting to upload, %d conflicts, last sync %s, list updated %s\n",
		st.PendingUpload, st.Conflicts, c.tr.DateTime(st.LastSync, time.Local), c.tr.DateTime(st.LastRefresh, time.Local))
	c.printf("Stock      on hand   a day (7 days)   runs out\n")
	for _, r := range runway {
		name := c.tr.ItemName(camp, r.Item)
		if r.Size != "" {
			name += " " + r.Size
		}
		out := ""
		switch {
		case r.RunsOut != "":
			d, _ := pickup.ParseDate(r.RunsOut)
			out = fmt.Sprintf("%s (%.0f days)", c.tr.Date(d.Year, d.Month, d.Day), r.DaysLeft)
		case r.Qty <= 0:
			out = "none left"
		case r.PerDay > 0:
			out = "in more than 90 days"
		}
		c.printf("  %-24s %9d %12.0f   %s\n", name, r.Qty, r.PerDay, out)
	}
	return nil
}

func runHandovers(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	days := c.num("days")
	if days < 1 {
		return usagef("--days must be 1 or more")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Identity(ctx); err != nil {
		return err
	}
	since := s.DayStart(s.Today().AddDays(1 - days))
	hs, err := s.Handovers(ctx, since, 0)
	if err != nil {
		return err
	}
	if c.json {
		if hs == nil {
			hs = []store.Handed{}
		}
		c.printJSON(map[string]any{"handovers": hs})
		return nil
	}
	camp, _ := s.Campaign(ctx, "")
	for _, h := range hs {
		state := ""
		if h.Undone {
			state = " (undone)"
		}
		c.printf("%s  %s  %-24s %-28s %-3s %s%s\n", h.At.Local().Format("2006-01-02 15:04"), h.Code, h.Name, c.tr.Profession(camp, h.Profession), h.GloveSize, h.TerminalID, state)
	}
	c.printf("%d handovers\n", len(hs))
	return nil
}

func runConflicts(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Identity(ctx); err != nil {
		return err
	}
	cs, err := s.Conflicts(ctx)
	if err != nil {
		return err
	}
	if c.json {
		if cs == nil {
			cs = []store.Conflict{}
		}
		c.printJSON(map[string]any{"conflicts": cs})
		return nil
	}
	for _, x := range cs {
		c.printf("%s  %s  centre %s, counter %s\n", x.Code, x.At.Local().Format("2006-01-02 15:04"), x.CentreID, x.TerminalID)
	}
	c.printf("%d handovers involved in double handovers\n", len(cs))
	return nil
}

func runDemo(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if n := c.num("pickups"); n < 1 || n > 2_000_000 {
		return usagef("--pickups must be between 1 and 2000000")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Demo(ctx, c.num("pickups"))
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

func runVerifyLog(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.VerifyLog(ctx)
	if err != nil {
		return err
	}
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

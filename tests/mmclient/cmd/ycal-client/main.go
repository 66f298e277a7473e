// Command ycal-client uses Mattermost as a user would, from a terminal: type slash commands,
// read ephemeral answers and the bot's direct messages, fill dialogs as prompts and press
// buttons. `make run` prints how to start it as the demo user; it also connects the demo
// user through the real dialogs (`connect`).
//
//	ycal-client -url URL -login USER -password PW               interactive
//	ycal-client -url URL -login USER -password PW run "/yandex_calendar today"
//	ycal-client -url URL -login USER -password PW connect -caldav-login L -caldav-password P [-calendars A,B]
//	ycal-client -url URL -login USER -password PW notifications [-digest HH:MM] [-days every_day] [-reminder N]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

type client struct {
	s         *mmclient.Session
	teamID    string
	channelID string
	out       io.Writer
	lines     <-chan string
	buttons   []button
}

type button struct {
	post   *model.Post
	action *model.PostAction
}

func main() {
	url := flag.String("url", os.Getenv("YCAL_CLIENT_URL"), "Mattermost URL (env YCAL_CLIENT_URL)")
	login := flag.String("login", os.Getenv("YCAL_CLIENT_LOGIN"), "Mattermost login (env YCAL_CLIENT_LOGIN)")
	password := flag.String("password", os.Getenv("YCAL_CLIENT_PASSWORD"), "Mattermost password (env YCAL_CLIENT_PASSWORD)")
	token := flag.String("token", os.Getenv("YCAL_CLIENT_TOKEN"), "a personal access token instead of login and password")
	team := flag.String("team", "", "team name (default: the user's first team)")
	channel := flag.String("channel", "town-square", "channel name the commands run in")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, `usage: ycal-client [flags] [run "/command" | connect -caldav-login L -caldav-password P [-calendars A,B]`+
			` | notifications [-digest HH:MM] [-days every_day] [-reminder N]]`)
		flag.PrintDefaults()
	}
	flag.Parse()
	if *url == "" || (*token == "" && (*login == "" || *password == "")) {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	var s *mmclient.Session
	var err error
	if *token != "" {
		s, err = mmclient.WithToken(ctx, *url, *token)
	} else {
		s, err = mmclient.Login(ctx, *url, *login, *password)
	}
	if err != nil {
		fail(err)
	}
	defer s.Close()
	c := &client{s: s, out: os.Stdout}
	if err := c.place(ctx, *team, *channel); err != nil {
		fail(err)
	}
	args := flag.Args()
	switch {
	case len(args) == 0:
		err = c.interactive(ctx)
	case args[0] == "run" && len(args) == 2:
		err = c.run(ctx, args[1])
	case args[0] == "connect":
		err = c.connect(ctx, args[1:])
	case args[0] == "notifications":
		err = c.notifications(ctx, args[1:])
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ycal-client:", err)
	os.Exit(1)
}

// place finds the team and channel the commands run in.
func (c *client) place(ctx context.Context, teamName, channelName string) error {
	var team *model.Team
	if teamName != "" {
		t, _, err := c.s.API.GetTeamByName(ctx, teamName, "")
		if err != nil {
			return fmt.Errorf("team %s: %w", teamName, err)
		}
		team = t
	} else {
		teams, _, err := c.s.API.GetTeamsForUser(ctx, c.s.Me.Id, "")
		if err != nil || len(teams) == 0 {
			return fmt.Errorf("%s is in no team (%v)", c.s.Me.Username, err)
		}
		team = teams[0]
	}
	ch, _, err := c.s.API.GetChannelByName(ctx, channelName, team.Id, "")
	if err != nil {
		return fmt.Errorf("channel %s: %w", channelName, err)
	}
	c.teamID, c.channelID = team.Id, ch.Id
	return nil
}

func (c *client) say(format string, args ...any) { fmt.Fprintf(c.out, format+"\n", args...) }

// command runs one slash command. Its answer arrives as an ephemeral post over the
// websocket, as in the web app, and is printed from there.
func (c *client) command(ctx context.Context, line string) error {
	_, err := c.s.Command(ctx, c.channelID, line)
	return err
}

// show prints a post and numbers its buttons so they can be pressed.
func (c *client) show(from string, p *model.Post) {
	c.say("── %s ──", from)
	if p.Message != "" {
		c.say("%s", p.Message)
	}
	for _, a := range p.Attachments() {
		for _, s := range []string{a.Pretext, a.Title, a.Text} {
			if s != "" {
				c.say("%s", s)
			}
		}
	}
	for _, act := range mmclient.Buttons(p) {
		c.buttons = append(c.buttons, button{p, act})
		c.say("  [%d] %s", len(c.buttons), act.Name)
	}
}

// drain prints what arrived; dialogs are filled in as prompts.
func (c *client) drain(ctx context.Context) error {
	dialogs, posts := c.s.Pending()
	for _, p := range posts {
		from := "only you can see this"
		if p.Kind == mmclient.Direct {
			from = "direct message"
		}
		c.show(from, p.Post)
	}
	for _, d := range dialogs {
		if err := c.fill(ctx, d, nil); err != nil {
			return err
		}
	}
	return nil
}

func (c *client) interactive(ctx context.Context) error {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	c.lines = lines
	c.say("Signed in as %s. Type a slash command (try /yandex_calendar info), a button's number to press it, or /quit.", c.s.Me.Username)
	for {
		fmt.Fprint(c.out, "> ")
		select {
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			if err := c.handleLine(ctx, strings.TrimSpace(line)); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				c.say("error: %v", err)
			}
		case <-c.s.Wake():
			fmt.Fprintln(c.out)
		}
		// Answers come by websocket right after the command: give them a moment.
		time.Sleep(300 * time.Millisecond)
		if err := c.drain(ctx); err != nil {
			c.say("error: %v", err)
		}
	}
}

func (c *client) handleLine(ctx context.Context, line string) error {
	switch {
	case line == "":
		return nil
	case line == "/quit" || line == "/exit":
		return io.EOF
	case strings.HasPrefix(line, "/"):
		return c.command(ctx, line)
	}
	n, err := strconv.Atoi(line)
	if err != nil || n < 1 || n > len(c.buttons) {
		c.say("Type a slash command, a button number (1–%d) or /quit.", len(c.buttons))
		return nil
	}
	b := c.buttons[n-1]
	return c.s.Click(ctx, b.post, b.action)
}

// ask prints a prompt and reads a line (with echo off for secrets).
func (c *client) ask(prompt string, secret bool) (string, error) {
	fmt.Fprint(c.out, prompt)
	if secret {
		stty("-echo")
		defer func() { stty("echo"); fmt.Fprintln(c.out) }()
	}
	line, ok := <-c.lines
	if !ok {
		return "", io.EOF
	}
	return strings.TrimSpace(line), nil
}

func stty(arg string) {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = os.Stdin
	_ = cmd.Run()
}

// fill asks for every field of a dialog, submits it, and asks again while the plugin
// answers with errors.
func (c *client) fill(ctx context.Context, d *model.OpenDialogRequest, errs map[string]string) error {
	values := mmclient.Defaults(&d.Dialog)
	for {
		c.say("┌─ %s", d.Dialog.Title)
		if d.Dialog.IntroductionText != "" {
			c.say("│ %s", strings.ReplaceAll(d.Dialog.IntroductionText, "\n", "\n│ "))
		}
		for _, e := range d.Dialog.Elements {
			if msg := errs[e.Name]; msg != "" {
				c.say("│ ! %s", msg)
			}
			v, err := c.field(e, values[e.Name])
			if err != nil {
				return err
			}
			values[e.Name] = v
		}
		resp, err := c.s.SubmitDialog(ctx, d, c.channelID, c.teamID, values)
		if err != nil {
			return err
		}
		if resp.Error == "" && len(resp.Errors) == 0 {
			c.say("└─ submitted")
			return nil
		}
		if resp.Error != "" {
			c.say("│ ! %s", resp.Error)
		}
		errs = resp.Errors
		for _, e := range d.Dialog.Elements {
			if e.SubType == "password" {
				delete(values, e.Name)
			}
		}
		if ans, err := c.ask("│ Try again? [Y/n] ", false); err != nil || strings.HasPrefix(strings.ToLower(ans), "n") {
			c.say("└─ cancelled")
			return err
		}
	}
}

func (c *client) field(e model.DialogElement, current any) (any, error) {
	label := e.DisplayName
	if e.HelpText != "" {
		label += " (" + e.HelpText + ")"
	}
	switch e.Type {
	case "bool":
		on, _ := current.(bool)
		def := "y/N"
		if on {
			def = "Y/n"
		}
		ans, err := c.ask(fmt.Sprintf("│ %s — %s [%s]: ", e.DisplayName, e.Placeholder, def), false)
		if err != nil || ans == "" {
			return on, err
		}
		return strings.HasPrefix(strings.ToLower(ans), "y") || strings.HasPrefix(strings.ToLower(ans), "д"), nil
	case "select", "radio":
		c.say("│ %s", label)
		def := ""
		for i, o := range e.Options {
			mark := " "
			if o.Value == current {
				mark, def = "*", strconv.Itoa(i+1)
			}
			c.say("│  %s%d) %s", mark, i+1, o.Text)
		}
		ans, err := c.ask(fmt.Sprintf("│ number [%s]: ", def), false)
		if err != nil || ans == "" {
			return current, err
		}
		n, convErr := strconv.Atoi(ans)
		if convErr != nil || n < 1 || n > len(e.Options) {
			return current, nil
		}
		return e.Options[n-1].Value, nil
	default:
		def, _ := current.(string)
		prompt := fmt.Sprintf("│ %s: ", label)
		if def != "" {
			prompt = fmt.Sprintf("│ %s [%s]: ", label, def)
		}
		ans, err := c.ask(prompt, e.SubType == "password")
		if err != nil || ans == "" {
			return def, err
		}
		return ans, nil
	}
}

// run executes one command and prints what comes back within a few seconds.
func (c *client) run(ctx context.Context, line string) error {
	if err := c.command(ctx, line); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	_, posts := c.s.Pending()
	for _, p := range posts {
		c.show("message", p.Post)
	}
	return nil
}

// notifications goes through the notifications dialog without prompts, its defaults with
// the given changes: what `make run` does for the demo user.
func (c *client) notifications(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("notifications", flag.ContinueOnError)
	digest := fs.String("digest", "", "digest time HH:MM, or off (default: the dialog's)")
	days := fs.String("days", "", "weekdays or every_day (default: the dialog's)")
	reminder := fs.String("reminder", "", "minutes before a meeting, or off (default: the dialog's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	const wait = 20 * time.Second
	if err := c.command(ctx, "/yandex_calendar notifications create"); err != nil {
		return err
	}
	d, err := c.s.NextDialog(ctx, wait)
	if err != nil {
		return fmt.Errorf("the notifications dialog did not open: %w", err)
	}
	values := mmclient.Defaults(&d.Dialog)
	for name, v := range map[string]string{"digest": *digest, "digest_days": *days, "reminder": *reminder} {
		if v != "" {
			values[name] = v
		}
	}
	resp, err := c.s.SubmitDialog(ctx, d, c.channelID, c.teamID, values)
	if err != nil {
		return err
	}
	if resp.Error != "" || len(resp.Errors) > 0 {
		return fmt.Errorf("notifications refused: %s %v", resp.Error, resp.Errors)
	}
	p, err := c.s.NextPost(ctx, mmclient.Ephemeral, wait)
	if err != nil {
		return fmt.Errorf("no confirmation after saving notifications: %w", err)
	}
	c.show("notifications", p)
	return nil
}

// connect goes through the connect dialog and, if asked, the calendars dialog, without
// prompts: what `make run` does for the demo user.
func (c *client) connect(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	login := fs.String("caldav-login", "", "CalDAV (Yandex) login")
	password := fs.String("caldav-password", "", "app password")
	calendars := fs.String("calendars", "", "comma-separated calendar names to keep (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	const wait = 20 * time.Second
	if err := c.command(ctx, "/yandex_calendar connect"); err != nil {
		return err
	}
	d, err := c.s.NextDialog(ctx, wait)
	if err != nil {
		return fmt.Errorf("the connect dialog did not open: %w", err)
	}
	values := mmclient.Defaults(&d.Dialog)
	values["login"], values["password"] = *login, *password
	resp, err := c.s.SubmitDialog(ctx, d, c.channelID, c.teamID, values)
	if err != nil {
		return err
	}
	if resp.Error != "" || len(resp.Errors) > 0 {
		return fmt.Errorf("connect refused: %s %v", resp.Error, resp.Errors)
	}
	p, err := c.s.NextPost(ctx, mmclient.Ephemeral, wait)
	if err != nil {
		return fmt.Errorf("no confirmation after connecting: %w", err)
	}
	c.show("connected", p)
	if *calendars == "" {
		return nil
	}
	buttons := mmclient.Buttons(p)
	if len(buttons) == 0 {
		return errors.New("the confirmation has no button to choose calendars")
	}
	if err := c.s.Click(ctx, p, buttons[0]); err != nil {
		return err
	}
	d, err = c.s.NextDialog(ctx, wait)
	if err != nil {
		return fmt.Errorf("the calendars dialog did not open: %w", err)
	}
	keep := map[string]bool{}
	for _, n := range strings.Split(*calendars, ",") {
		keep[strings.TrimSpace(n)] = true
	}
	values = map[string]any{}
	var chosen []string
	for _, e := range d.Dialog.Elements {
		values[e.Name] = keep[e.DisplayName] || keep[e.Placeholder]
		if values[e.Name] == true {
			chosen = append(chosen, e.DisplayName)
		}
	}
	sort.Strings(chosen)
	resp, err = c.s.SubmitDialog(ctx, d, c.channelID, c.teamID, values)
	if err != nil {
		return err
	}
	if resp.Error != "" || len(resp.Errors) > 0 {
		return fmt.Errorf("calendars refused: %s %v", resp.Error, resp.Errors)
	}
	c.say("calendars chosen: %s", strings.Join(chosen, ", "))
	return nil
}

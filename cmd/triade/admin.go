package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/server"
	"triade/internal/store"
)

// newAdmin is what create-admin was asked to create.
type newAdmin struct {
	ws   store.NewWorkspace
	pass string
}

// parseAdmin reads the flags and the password. The password never comes from
// the command line, which other users of the machine can read: it comes from
// -password-file, from a prompt on a terminal, or from the first line of
// stdin (`triade create-admin … < secret`).
func parseAdmin(args []string, stdin *os.File) (*newAdmin, error) {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of the administrator")
	name := fs.String("name", "", "full name of the administrator")
	wsName := fs.String("workspace", "", "name of the workspace")
	slug := fs.String("slug", "", "URL name of the workspace (default: from its name)")
	file := fs.String("password-file", "", "file whose first line is the password")
	coach := fs.Bool("coach", false, "the administrator also coaches (an independent coach's own practice)")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("create-admin: %w (see `triade help`)", err)
	}
	a := &newAdmin{ws: store.NewWorkspace{Name: strings.TrimSpace(*wsName), AdminNm: strings.TrimSpace(*name),
		AdminEmail: domain.NormalizeEmail(*email), Slug: strings.TrimSpace(*slug)}}
	if a.ws.Slug == "" {
		a.ws.Slug = server.Slugify(a.ws.Name)
	}
	if *coach {
		a.ws.Roles = domain.RoleSet{domain.RoleAdmin, domain.RoleCoach}
	}
	switch {
	case !domain.ValidEmail(a.ws.AdminEmail):
		return nil, errors.New("create-admin: -email: a valid e-mail address is required")
	case a.ws.AdminNm == "":
		return nil, errors.New("create-admin: -name: the administrator's name is required")
	case a.ws.Name == "":
		return nil, errors.New("create-admin: -workspace: the workspace's name is required")
	case !domain.ValidSlug(a.ws.Slug) || !domain.SlugAvailable(a.ws.Slug):
		return nil, fmt.Errorf("create-admin: -slug %q: use 3 to 40 lower-case letters, digits and hyphens, not a reserved word", a.ws.Slug)
	}
	var err error
	if a.pass, err = readPassword(*file, stdin); err != nil {
		return nil, err
	}
	if msg := domain.CheckPassword(a.pass); msg != "" {
		return nil, fmt.Errorf("create-admin: password: %s", i18n.Translate("en", msg))
	}
	return a, nil
}

func readPassword(file string, stdin *os.File) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("create-admin: -password-file: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if fd := int(stdin.Fd()); term.IsTerminal(fd) {
		fmt.Fprint(os.Stderr, "Password of the administrator: ")
		p1, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(os.Stderr, "Again: ")
		p2, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("create-admin: the two passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("create-admin: no password: give -password-file FILE, type it at the prompt, or send it on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// create stores the workspace and its administrator, who can then sign in.
func (a *newAdmin) create(ctx context.Context, st *store.Store) error {
	hash, err := st.HashPassword(a.pass)
	if err != nil {
		return err
	}
	a.ws.PasswordHash = hash
	_, ws, err := st.CreateWorkspace(ctx, a.ws)
	var fe domain.FieldErrors
	switch {
	case errors.As(err, &fe):
		var msgs []string
		for field, id := range fe {
			msgs = append(msgs, field+": "+i18n.Translate("en", id))
		}
		return fmt.Errorf("create-admin: %s", strings.Join(msgs, "; "))
	case err != nil && domain.ErrorCode(err) != domain.EInternal:
		return fmt.Errorf("create-admin: %s", i18n.Translate("en", domain.ErrorMessage(err)))
	case err != nil:
		return err
	}
	fmt.Printf("Workspace %q created (/w/%s/); %s can sign in as its administrator.\n", ws.Name, ws.Slug, a.ws.AdminEmail)
	return nil
}

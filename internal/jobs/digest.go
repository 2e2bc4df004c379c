package jobs

import (
	"context"
	"strings"
	"time"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
)

// digestLine is one open duty in a person's weekly digest.
type digestLine struct {
	workspace, engagement, link string
	duty                        domain.WaitingFact
}

// digest is one person's weekly digest across their workspaces.
type digest struct {
	rc    store.Recipient // the first membership: its workspace keys the e-mail and gives the time zone
	lines []digestLine
}

// digests gathers the weekly digests of those who asked for one, by person.
type digests struct {
	byUser map[string]*digest
	order  []string
}

func newDigests() *digests { return &digests{byUser: map[string]*digest{}} }

// add lists a person's open duties in one workspace. Only the duties' titles
// and links go in: never what a session said.
func (ds *digests) add(rc store.Recipient, open []domain.WaitingFact, titles map[string]string, base string) {
	d := ds.byUser[rc.User.ID]
	if d == nil {
		d = &digest{rc: rc}
		ds.byUser[rc.User.ID] = d
		ds.order = append(ds.order, rc.User.ID)
	}
	for _, w := range open {
		d.lines = append(d.lines, digestLine{workspace: rc.Workspace.Name, engagement: titles[w.EngagementID],
			link: engagementLink(base, rc.Workspace, w.EngagementID) + w.Path, duty: w})
	}
}

// send sends each digest once per ISO week (reminders_sent keyed by the week's
// Monday), from Monday morning in the person's first workspace's time zone.
// A person with nothing to do gets no e-mail.
func (ds *digests) send(ctx context.Context, st *store.Store, now time.Time, base string) (int, error) {
	total := 0
	for _, uid := range ds.order {
		d := ds.byUser[uid]
		loc := zone(d.rc.Workspace.Timezone)
		week, ok := domain.DigestWeek(now, loc)
		if !ok || len(d.lines) == 0 {
			continue
		}
		r := domain.Reminder{Kind: domain.RemindDigest, Key: domain.RemindDigest, Subject: uid, Day: week}
		sc := store.Scope{TenantID: d.rc.Workspace.ID, UserID: uid}
		n, err := st.SendReminders(ctx, sc, []domain.Reminder{r}, func(domain.Reminder) store.Mail { return d.mail(base, now, loc) })
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// mail writes the digest in the person's language, a deep link per duty.
func (d *digest) mail(base string, now time.Time, loc *time.Location) store.Mail {
	lang := language(d.rc.User)
	t := func(id string, args ...any) string { return i18n.Translate(lang, id, args...) }
	local := i18n.WithZone(i18n.WithLang(context.Background(), lang), loc.String())
	var list []string
	for _, l := range d.lines {
		late := ""
		if !l.duty.Due.IsZero() && l.duty.Due.Before(now) {
			late = t("mail.digest.late", "Due", i18n.Date(local, l.duty.Due))
		}
		list = append(list, t("mail.digest.item", "What", t("wait."+l.duty.Kind, "N", l.duty.Count, "Count", l.duty.Count),
			"Engagement", l.engagement, "Workspace", l.workspace, "Late", late, "Link", l.link))
	}
	return store.Mail{To: d.rc.User.Email, Link: base + "/",
		Subject: t("mail.digest.subject"),
		Body: t("mail.digest.body", "Name", d.rc.User.Name, "List", strings.Join(list, "\n"), "Settings", base+"/account",
			"Unsubscribe", unsubscribeLink(base, d.rc))}
}

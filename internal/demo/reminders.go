package demo

import (
	"context"

	"triade/internal/jobs"
)

func init() { Steps = append(Steps, seedReminders) }

// seedReminders runs the reminder job once, so that the development outbox holds
// the reminders a person would receive today, each linking to its page.
func seedReminders(ctx context.Context, sd *Seeder) error {
	// The coach subscribes to their calendar (the link is shown on their page).
	if _, err := sd.Store.NewCalendarToken(ctx, sd.Scope("demo", "coach@demo.test")); err != nil {
		return err
	}
	_, err := jobs.Run(ctx, sd.Store, sd.Store.Now(), BaseURL)
	return err
}

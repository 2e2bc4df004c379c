package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Mail is an outgoing e-mail. Link is the exact page the e-mail asks the person
// to visit; it is kept apart so the outbox can show it as a link.
type Mail struct {
	To, Subject, Body, Link string
	// Calendar is an iCalendar invitation (RFC 5546) the e-mail carries, and
	// Method its METHOD (REQUEST, CANCEL): calendar clients act on it.
	Calendar string `json:",omitempty"`
	Method   string `json:",omitempty"`
}

// SendMailArgs is the River job that delivers one outbox row.
type SendMailArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job for River.
func (SendMailArgs) Kind() string { return "send_mail" }

// SendMail writes the e-mail to the outbox and queues its delivery in the caller's
// transaction: if the transaction rolls back, no e-mail leaves. The e-mail is
// sealed under the server key: reset and invitation links, and every
// workspace's mail, are not readable through the request role.
func (s *Store) SendMail(ctx context.Context, tx pgx.Tx, m Mail) error {
	plain, err := json.Marshal(m)
	if err != nil {
		return err
	}
	sealed, err := s.Seal("outbox", plain, nil)
	if err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO outbox (to_hash, sealed) VALUES ($1, $2) RETURNING id`,
		s.mailTo(m.To), sealed).Scan(&id); err != nil {
		return dbError("outbox insert", err)
	}
	if s.river == nil {
		return nil
	}
	_, err = s.river.InsertTx(ctx, tx, SendMailArgs{OutboxID: id}, nil)
	return dbError("queue mail", err)
}

// QueueMail sends one e-mail in a transaction of its own.
func (s *Store) QueueMail(ctx context.Context, m Mail) error {
	return s.Tx(ctx, Scope{}, func(tx pgx.Tx) error { return s.SendMail(ctx, tx, m) })
}

// mailTo is how the outbox finds the e-mails sent to an address.
func (s *Store) mailTo(addr string) []byte {
	return s.mac("outbox-to", []byte(strings.ToLower(addr)))
}

// OutboxMail is a row of the outbox.
type OutboxMail struct {
	ID int64
	Mail
	Created time.Time
	Sent    *time.Time
}

const outboxCols = `id, sealed, created_at, sent_at`

func (s *Store) scanOutbox(row pgx.Row) (OutboxMail, error) {
	var m OutboxMail
	var sealed []byte
	if err := row.Scan(&m.ID, &sealed, &m.Created, &m.Sent); err != nil {
		return m, err
	}
	plain, err := s.Open("outbox", sealed, nil)
	if err != nil {
		return m, fmt.Errorf("store: open outbox e-mail %d: %w", m.ID, err)
	}
	return m, json.Unmarshal(plain, &m.Mail)
}

// Outbox lists the latest e-mails, newest first.
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxMail, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+outboxCols+` FROM outbox ORDER BY id DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMail, error) { return s.scanOutbox(r) })
	return out, dbError("outbox", err)
}

// OutboxByID loads one e-mail for delivery.
func (s *Store) OutboxByID(ctx context.Context, id int64) (OutboxMail, error) {
	m, err := s.scanOutbox(s.pool.QueryRow(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = $1`, id))
	return m, dbError("outbox by id", err)
}

// MarkSent records that an e-mail left over SMTP.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE id = $1 AND sent_at IS NULL`, id)
	return dbError("mark sent", err)
}

// ForgetMail deletes, in the caller's transaction, every outbox e-mail sent to
// email or whose subject, body or calendar invitation mentions one of names
// (erasure of a person); an invitation naming the address as an attendee goes
// too. The contents are sealed, so each e-mail is opened to be searched.
func (s *Store) ForgetMail(ctx context.Context, tx pgx.Tx, email string, names []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE to_hash = $1`, s.mailTo(email)); err != nil {
		return dbError("forget mail", err)
	}
	var keep []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			keep = append(keep, n)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	rows, _ := tx.Query(ctx, `SELECT `+outboxCols+` FROM outbox`)
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMail, error) { return s.scanOutbox(r) })
	if err != nil {
		return dbError("forget mail: read", err)
	}
	var ids []int64
	for _, m := range all {
		// A calendar's long lines are folded: unfolded, a name is whole again.
		cal := strings.ReplaceAll(m.Calendar, "\r\n ", "")
		if email != "" && strings.Contains(strings.ToLower(cal), "mailto:"+strings.ToLower(email)) {
			ids = append(ids, m.ID)
			continue
		}
		for _, n := range keep {
			if strings.Contains(m.Subject, n) || strings.Contains(m.Body, n) || strings.Contains(cal, n) {
				ids = append(ids, m.ID)
				break
			}
		}
	}
	_, err = tx.Exec(ctx, `DELETE FROM outbox WHERE id = ANY ($1)`, ids)
	return dbError("forget mail", err)
}

// recordEvent appends to the workspace's history.
func recordEvent(ctx context.Context, tx pgx.Tx, tenantID, actorID, kind, subjectID string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO events (tenant_id, actor_id, kind, subject_id, data) VALUES ($1, nullif($2, '')::uuid, $3, nullif($4, '')::uuid, $5)`,
		tenantID, actorID, kind, subjectID, data)
	return dbError("record event", err)
}

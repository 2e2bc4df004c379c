package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Mail is an outgoing e-mail. Link is the exact page the e-mail asks the person
// to visit; it is kept apart so the outbox can show it as a link.
type Mail struct {
	To, Subject, Body, Link string
}

// SendMailArgs is the River job that delivers one outbox row.
type SendMailArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job for River.
func (SendMailArgs) Kind() string { return "send_mail" }

// SendMail writes the e-mail to the outbox and queues its delivery in the caller's
// transaction: if the transaction rolls back, no e-mail leaves.
func (s *Store) SendMail(ctx context.Context, tx pgx.Tx, m Mail) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO outbox (to_addr, subject, body, link) VALUES ($1, $2, $3, $4) RETURNING id`,
		m.To, m.Subject, m.Body, m.Link).Scan(&id); err != nil {
		return dbError("outbox insert", err)
	}
	if s.river == nil {
		return nil
	}
	_, err := s.river.InsertTx(ctx, tx, SendMailArgs{OutboxID: id}, nil)
	return dbError("queue mail", err)
}

// OutboxMail is a row of the outbox.
type OutboxMail struct {
	ID int64
	Mail
	Created time.Time
	Sent    *time.Time
}

// Outbox lists the latest e-mails, newest first.
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxMail, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, to_addr, subject, body, link, created_at, sent_at FROM outbox ORDER BY id DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMail, error) {
		var m OutboxMail
		err := r.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Link, &m.Created, &m.Sent)
		return m, err
	})
	return out, dbError("outbox", err)
}

// OutboxByID loads one e-mail for delivery.
func (s *Store) OutboxByID(ctx context.Context, id int64) (OutboxMail, error) {
	var m OutboxMail
	err := s.pool.QueryRow(ctx, `SELECT id, to_addr, subject, body, link, created_at, sent_at FROM outbox WHERE id = $1`, id).
		Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Link, &m.Created, &m.Sent)
	return m, dbError("outbox by id", err)
}

// MarkSent records that an e-mail left over SMTP.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE id = $1 AND sent_at IS NULL`, id)
	return dbError("mark sent", err)
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

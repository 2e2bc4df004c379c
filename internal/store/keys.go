package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"triade/internal/password"
)

// KeySize is the length of the server key.
const KeySize = 32

// LoadKey reads the server key, creating it on first start. It must be given
// the owner's pool: the request role has no right on server_keys, so nothing
// read through the application is enough to open what the key seals.
func LoadKey(ctx context.Context, owner *pgxpool.Pool) ([]byte, error) {
	fresh := make([]byte, KeySize)
	rand.Read(fresh)
	if _, err := owner.Exec(ctx, `INSERT INTO server_keys (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, fresh); err != nil {
		return nil, fmt.Errorf("store: create server key: %w", err)
	}
	var key []byte
	if err := owner.QueryRow(ctx, `SELECT key FROM server_keys WHERE id = 1`).Scan(&key); err != nil {
		return nil, fmt.Errorf("store: read server key: %w", err)
	}
	return key, nil
}

// SetKey hands the store the server key. Until it is set, everything that
// seals, opens or hashes under it fails.
func (s *Store) SetKey(key []byte) {
	if len(key) != KeySize {
		panic("store: server key must be 32 bytes")
	}
	s.key = append([]byte(nil), key...)
}

var errNoKey = errors.New("store: no server key (SetKey was not called)")

// subkey derives an independent key per use, so that no two uses (sessions,
// e-mails, passwords, unsubscribe links) can be confused with one another.
func (s *Store) subkey(purpose string) []byte {
	if s.key == nil {
		return nil
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("triade/" + purpose))
	return m.Sum(nil)
}

// mac is a keyed hash: stable for lookups, useless without the key.
func (s *Store) mac(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, s.subkey(purpose))
	m.Write(data)
	return m.Sum(nil)
}

// Seal encrypts and authenticates plain under the server key with AES-GCM; ad
// is bound to it (a sealed value moved to another row does not open).
func (s *Store) Seal(purpose string, plain, ad []byte) ([]byte, error) {
	g, err := s.gcm(purpose)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, plain, ad), nil
}

// Open reverses Seal.
func (s *Store) Open(purpose string, sealed, ad []byte) ([]byte, error) {
	g, err := s.gcm(purpose)
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize() {
		return nil, errors.New("store: sealed value too short")
	}
	n := g.NonceSize()
	return g.Open(nil, sealed[:n], sealed[n:], ad)
}

func (s *Store) gcm(purpose string) (cipher.AEAD, error) {
	if s.key == nil {
		return nil, errNoKey
	}
	b, err := aes.NewCipher(s.subkey("seal/" + purpose))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// HashPassword returns the stored form of a new password: argon2id over a
// pepper that only the server key gives.
func (s *Store) HashPassword(plain string) (string, error) {
	if s.key == nil {
		return "", errNoKey
	}
	return password.HashPeppered(s.subkey("password"), plain)
}

// CheckPassword compares a password with a stored hash (peppered, or of the
// older unpeppered kind; rehash then says it should be replaced).
func (s *Store) CheckPassword(plain, hash string) (ok, rehash bool) {
	return password.CheckPeppered(s.subkey("password"), plain, hash)
}

// Package password hashes passwords with argon2id, using OWASP's recommended
// parameters (19 MiB of memory, 2 iterations, 1 lane).
package password

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/alexedwards/argon2id"
)

var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hash returns the encoded argon2id hash of a password.
func Hash(plain string) (string, error) { return argon2id.CreateHash(plain, params) }

// dummy is compared against when an e-mail is unknown, so that a wrong address
// and a wrong password take the same time to refuse.
var dummy, _ = Hash("triade-timing-equaliser")

// Check reports whether plain matches hash. An empty hash (no password set yet)
// never matches, but costs the same time as a real comparison.
func Check(plain, hash string) bool {
	if hash == "" {
		argon2id.ComparePasswordAndHash(plain, dummy)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(plain, hash)
	return err == nil && ok
}

// peppered marks a hash computed over HMAC-SHA256(pepper, password). The pepper
// comes from the server key, which the database role serving requests cannot
// read: a hash leaked from the database cannot be attacked offline without it.
const peppered = "p1"

func pepper(key []byte, plain string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(plain))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

// HashPeppered returns the stored form of a password under a pepper.
func HashPeppered(key []byte, plain string) (string, error) {
	h, err := Hash(pepper(key, plain))
	if err != nil {
		return "", err
	}
	return peppered + h, nil
}

// CheckPeppered reports whether plain matches hash, peppered or not; rehash is
// true when the hash matched but is of the older, unpeppered kind and should be
// replaced. It takes the same time whatever the hash (empty included).
func CheckPeppered(key []byte, plain, hash string) (ok, rehash bool) {
	if rest, found := strings.CutPrefix(hash, peppered+"$"); found {
		return Check(pepper(key, plain), "$"+rest), false
	}
	ok = Check(plain, hash)
	return ok, ok
}

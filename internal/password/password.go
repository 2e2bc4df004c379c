// Package password hashes passwords with argon2id, using OWASP's recommended
// parameters (19 MiB of memory, 2 iterations, 1 lane).
package password

import "github.com/alexedwards/argon2id"

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

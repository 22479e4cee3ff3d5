package access

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// Session defaults.
const (
	DefaultIdle       = 30 * time.Minute // signed out after this long without a request
	DefaultLifetime   = 8 * time.Hour    // signed out this long after login, however busy: a working day
	DefaultMaxPerUser = 10               // a user's oldest session goes when a newer one would exceed this
)

// sessionIDLen is the length of a session id: 32 random bytes in base64url.
const sessionIDLen = 43

// Session is one signed-in browser.
type Session struct {
	UserID   string
	CSRF     string // the synchronizer token, 256 random bits in base64url
	Created  time.Time
	LastSeen time.Time
	// SSO is the user as the provider named them, for a session begun by
	// single sign-on; nil for a directory user's.
	SSO *SSOIdentity
}

// Sessions is the server-side session store, in memory: a restart signs
// everybody out. The zero value is not usable: Now is required (nothing in
// this package reads the wall clock); NewSessions fills in the defaults.
//
// Ids are 256 random bits. The store keys sessions by the SHA-256 of the
// id, so the ids themselves are not kept and a lookup's timing says
// nothing about them.
type Sessions struct {
	Now        func() time.Time
	Idle       time.Duration // DefaultIdle when 0
	Lifetime   time.Duration // DefaultLifetime when 0
	MaxPerUser int           // DefaultMaxPerUser when 0

	mu        sync.Mutex
	m         map[[32]byte]*Session
	lastSweep time.Time
}

// NewSessions returns a store with the default timeouts.
func NewSessions(now func() time.Time) *Sessions {
	return &Sessions{Now: now, Idle: DefaultIdle, Lifetime: DefaultLifetime, MaxPerUser: DefaultMaxPerUser}
}

func (s *Sessions) idle() time.Duration     { return or(s.Idle, DefaultIdle) }
func (s *Sessions) lifetime() time.Duration { return or(s.Lifetime, DefaultLifetime) }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Create starts a session for the user and returns its id (the cookie's
// value) and the session.
func (s *Sessions) Create(userID string) (string, Session) { return s.create(userID, nil) }

// CreateSSO starts a session for a user signed in by single sign-on, who
// is no user of the directory: the session keeps their name and roles.
func (s *Sessions) CreateSSO(userID string, ident SSOIdentity) (string, Session) {
	ident.Roles = slices.Clone(ident.Roles)
	return s.create(userID, &ident)
}

func (s *Sessions) create(userID string, ident *SSOIdentity) (string, Session) {
	now := s.Now()
	id := randomString(32)
	sess := &Session{UserID: userID, CSRF: randomString(32), Created: now, LastSeen: now, SSO: ident}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[[32]byte]*Session{}
	}
	s.sweep(now)
	// Keep at most MaxPerUser sessions per user: drop the oldest.
	var mine [][32]byte
	for k, v := range s.m {
		if v.UserID == userID {
			mine = append(mine, k)
		}
	}
	if limit := or(s.MaxPerUser, DefaultMaxPerUser); len(mine) >= limit {
		slices.SortFunc(mine, func(a, b [32]byte) int { return s.m[a].Created.Compare(s.m[b].Created) })
		for _, k := range mine[:len(mine)-limit+1] {
			delete(s.m, k)
		}
	}
	s.m[key(id)] = sess
	return id, *sess
}

// Lookup returns the live session with the id and marks it used now. An
// expired session (idle for Idle, or older than Lifetime) is deleted and
// not returned.
func (s *Sessions) Lookup(id string) (Session, bool) {
	if len(id) != sessionIDLen {
		return Session{}, false
	}
	now := s.Now()
	k := key(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[k]
	if !ok {
		return Session{}, false
	}
	if s.expired(sess, now) {
		delete(s.m, k)
		return Session{}, false
	}
	if now.After(sess.LastSeen) {
		sess.LastSeen = now
	}
	return *sess, true
}

// Delete ends the session with the id, if there is one.
func (s *Sessions) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key(id))
}

// DeleteUser ends every session of the user (disabled, password changed)
// and returns how many there were.
func (s *Sessions) DeleteUser(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.m {
		if v.UserID == userID {
			delete(s.m, k)
			n++
		}
	}
	return n
}

// Len returns the number of sessions held, expired ones not yet swept
// included.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *Sessions) expired(sess *Session, now time.Time) bool {
	return !now.Before(sess.LastSeen.Add(s.idle())) || !now.Before(sess.Created.Add(s.lifetime()))
}

// sweep drops expired sessions, at most once per idle period.
func (s *Sessions) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < s.idle() {
		return
	}
	s.lastSweep = now
	for k, v := range s.m {
		if s.expired(v, now) {
			delete(s.m, k)
		}
	}
}

func key(id string) [32]byte { return sha256.Sum256([]byte(id)) }

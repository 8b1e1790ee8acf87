package auth

import (
	"fmt"
	"time"
)

// LockoutPolicy says how failed sign-ins are slowed and locked. Failures
// are counted per user name (also names that do not exist, so a lock
// reveals nothing) and per client address, within a tenant, over a sliding
// Window. Reaching UserFailures for a name or AddrFailures for an address
// locks that name or address for LockFor; failures before a lockout (or
// before an administrator cleared it) do not count again afterwards.
type LockoutPolicy struct {
	Window       time.Duration
	UserFailures int
	AddrFailures int
	LockFor      time.Duration
	// FirstDelay is the delay after the first failure; each further
	// failure in the window doubles it, up to MaxDelay.
	FirstDelay time.Duration
	MaxDelay   time.Duration
}

// DefaultLockout locks a user name after 5 failures or an address after
// 20 within 15 minutes, for 15 minutes; the delays are 0.5 s, 1 s, 2 s, 4 s,
// 8 s, 8 s ….
var DefaultLockout = LockoutPolicy{
	Window: 15 * time.Minute, UserFailures: 5, AddrFailures: 20, LockFor: 15 * time.Minute,
	FirstDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second,
}

// Delay returns how long the caller should wait before answering the n-th
// failure in the window (n ≥ 1; 0 for n ≤ 0).
func (p LockoutPolicy) Delay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := p.FirstDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

func lockedErr(l Lockout, now time.Time, delay time.Duration) *Error {
	wait := l.Until.Sub(now).Round(time.Second)
	mins := int((wait + time.Minute - 1) / time.Minute)
	var e *Error
	if l.Kind == LockAddr {
		e = newErr(ErrLocked, fmt.Sprintf("too many failed sign-ins from this address; try again in %d min", mins),
			fmt.Sprintf("该地址登录失败次数过多，请 %d 分钟后再试", mins))
	} else {
		e = newErr(ErrLocked, fmt.Sprintf("too many failed sign-ins for this user; try again in %d min", mins),
			fmt.Sprintf("该用户登录失败次数过多，请 %d 分钟后再试", mins))
	}
	e.RetryAfter = l.Until.Sub(now)
	e.Delay = delay
	return e
}

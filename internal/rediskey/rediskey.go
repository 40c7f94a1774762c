// Package rediskey holds the rule the Redis stores' key prefixes follow.
package rediskey

import (
	"fmt"
	"strings"
)

// CheckPrefix refuses a prefix holding '{' or '}': on Redis Cluster a
// brace in the prefix would choose the keys' hash slot, moving every key
// to one slot (one node) or splitting the keys a script must find in one.
func CheckPrefix(prefix string) error {
	if strings.ContainsAny(prefix, "{}") {
		return fmt.Errorf("redisstore: WithPrefix must not contain '{' or '}', got %q", prefix)
	}
	return nil
}

package transport

// maxLogValue bounds an untrusted value (a kid, a path, an error that
// quotes either) written to a log: enough to recognise it, too little for a
// request to flood the log with.
const maxLogValue = 128

// clip cuts s to maxLogValue bytes, marking the cut.
func clip(s string) string {
	if len(s) <= maxLogValue {
		return s
	}
	return s[:maxLogValue] + "…(cut)"
}

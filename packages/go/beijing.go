package kami

import (
	"strconv"
	"time"
)

// beijing is the wire's zone: a fixed UTC+8 (never a zone database: China had DST in 1986–1991).
var beijing = time.FixedZone("UTC+8", 8*3600)

// formatBeijingMinute is the date field, yyyyMMddHHmm in Beijing time.
func formatBeijingMinute(t time.Time) string { return t.In(beijing).Format("200601021504") }

// formatBeijingDateTime is the end_time format, YYYY-MM-DD HH:mm:ss in Beijing time.
func formatBeijingDateTime(t time.Time) string { return t.In(beijing).Format("2006-01-02 15:04:05") }

// ParseBeijingTime parses an end_time (YYYY-MM-DD HH:mm:ss, Beijing time). Impossible dates
// such as 2026-02-30 are refused, not normalised.
func ParseBeijingTime(text string) (time.Time, bool) {
	if len(text) != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':' {
		return time.Time{}, false
	}
	var parts [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		s := text[span[0]:span[1]]
		for j := 0; j < len(s); j++ {
			if s[j] < '0' || s[j] > '9' {
				return time.Time{}, false
			}
		}
		parts[i], _ = strconv.Atoi(s)
	}
	y, mo, d, h, mi, s := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, beijing)
	if t.Day() != d || t.Year() != y {
		return time.Time{}, false
	}
	return t, true
}

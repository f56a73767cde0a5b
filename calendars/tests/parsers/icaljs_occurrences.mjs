// Reads an iCalendar stream on stdin and prints every occurrence start between two instants
// (argv: from, to as ISO UTC), one UTC ISO timestamp per line, as ical.js (Thunderbird's parser)
// understands the calendar: only the VTIMEZONEs in the file, no system time zone data.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [from, to] = process.argv.slice(2).map((s) => Date.parse(s) / 1000);
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const tz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(tz));
}
const starts = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const start = event.getOccurrenceDetails(next).startDate.toUnixTime();
    if (start > to) break;
    if (start >= from) starts.push(start);
  }
}
starts.sort((a, b) => a - b);
for (const start of starts) {
  console.log(new Date(start * 1000).toISOString().replace(".000Z", "Z"));
}

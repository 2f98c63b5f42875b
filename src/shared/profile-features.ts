// The features of a PROFILE alert (src/ml/source-profile.ts scoreConnection; ProfileFeature in
// protocol.ts) as people read them: the table label on the page, the phrase in the one-line
// explanation (src/worker/profile.ts), and the unit of the value. `numeric` marks the features
// scored as a z-score in log1p space (value vs baseline mean ± σ); the others are categorical.

export interface ProfileFeatureText {
  /** Row label in the page's profile table ("Bytes sent"). */
  label: string;
  /** Phrase in the explanation ("bytes sent"). */
  phrase: string;
  /** Unit of the value: "B", "s", "/min", "/h" or "" (a count or a category). */
  unit: string;
  numeric: boolean;
}

export const PROFILE_FEATURES: Readonly<Record<string, ProfileFeatureText>> = {
  origBytes: { label: 'Bytes sent', phrase: 'bytes sent', unit: 'B', numeric: true },
  respBytes: { label: 'Bytes received', phrase: 'bytes received', unit: 'B', numeric: true },
  duration: { label: 'Duration', phrase: 'duration', unit: 's', numeric: true },
  packets: { label: 'Packets', phrase: 'packets', unit: '', numeric: true },
  connsPerMinute: { label: 'Connections per minute', phrase: 'connections per minute', unit: '/min', numeric: true },
  dstsPerHour: { label: 'Destinations per hour', phrase: 'distinct destinations per hour', unit: '/h', numeric: true },
  service: { label: 'Service', phrase: 'service', unit: '', numeric: false },
  hour: { label: 'Hour (UTC)', phrase: 'hour', unit: '', numeric: false },
  day: { label: 'Day (UTC)', phrase: 'day', unit: '', numeric: false },
  newSource: { label: 'New source', phrase: 'new source', unit: '', numeric: false },
};

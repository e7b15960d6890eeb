#pragma once
// The outputs of `certbundle fetch`: a readable report, PEM as `openssl s_client -showcerts`
// prints it, and JSON. Each takes the stream to write to. What the server sent (names, SANs,
// labels, URLs, ALPN) is written through printable()/one_line() (core/text.hpp): the text and PEM
// outputs hold no control character or line break from data; JSON replaces invalid UTF-8.
//
// JSON (version 1). Field names are stable; new fields may be added, none renamed or removed.
//   { "format": "certbundle-fetch", "version": 1, "at": "<UTC time expiry is judged at>",
//     "targets": [ {
//       "target": the text given, "host", "port", "starttls": "none"|"smtp"|...,
//       "fetched": bool,
//       "error": null | { "step": "resolve"|"connect"|"starttls"|"handshake", "message" },
//       "connection": null | { "peer", "proxy", "proxy_url", "protocol", "cipher", "alpn", "sni" },
//       "chain": [ certificate ],            // as sent, in order
//       "aia": [ { "url", "ok", "error", "certificates": [ certificate ] } ],
//       "root_sent", "wrong_order", "incomplete": bool,
//       "name": { "name", "matches", "dns": [..], "ip": [..] },
//       "browser": { "trusted", "reason", "anchor": anchor|null, "roots": [ anchor ],
//                    "path": [ sha256 ] },
//       "device": { "top": index, "issuer", "anchor": anchor|null, "anchor_is_intermediate",
//                   "differs_from_browser", "anchor_expired", "anchor_distrusted" },
//       "warnings": [ { "code", "message" } ]    // codes: see chain/analysis.hpp
//     } ] }
//   certificate: { "index", "role": "leaf"|"intermediate"|"root"|"duplicate"|"unrelated",
//                  "issued_by": index|null (indices past the chain count AIA certificates, in
//                  order), "subject", "issuer", "common_name", "serial", "sha256", "not_before",
//                  "not_after", "days_left", "self_issued", "pem" }
//   anchor: { "label", "source": "mozilla"|"ca"|"aia", "subject", "sha256", "self_issued",
//             "trusted", "not_after", "days_left", "pem" }
// Times are "YYYY-MM-DDTHH:MM:SSZ" (UTC); days_left are whole UTC days from "at", negative when
// expired.
#include <iosfwd>
#include <vector>

#include "certbundle/fetch/fetch.hpp"

namespace certbundle::fetch {

enum class WithRoot { no, yes };

// The readable report of one target (several targets: one after the other, a blank line between).
void write_text(std::ostream& out, const TargetReport& report);

// The presented chain as `openssl s_client -showcerts` prints it: for each certificate a
// " N s:subject" and "   i:issuer" line and its PEM block (64-column base64). With
// WithRoot::yes, the device-view anchor follows as one more block. Nothing for a failed target.
void write_pem(std::ostream& out, const TargetReport& report, WithRoot with_root);

// The JSON document above, for all targets, pretty-printed with a final newline.
void write_json(std::ostream& out, const std::vector<TargetReport>& reports, Time at);

}  // namespace certbundle::fetch

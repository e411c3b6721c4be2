"""`streamlit run`, with Streamlit's look-ups of the machine's addresses turned off: nothing leaves the machine.

Streamlit 1.67 (`streamlit/web/server/server_util.py`, `is_url_from_allowed_origins`) checks the Origin of a
websocket against localhost, `browser.serverAddress` if set, then the machine's internal IP
(`net_util.get_internal_ip`: a UDP socket connected to 8.8.8.8) and its external IP
(`net_util.get_external_ip`: HTTP to checkip.amazonaws.com, retried on every request while it fails), then
`server.corsAllowedOrigins`. So a websocket with a foreign Origin made the server reach out. No setting turns
the two look-ups off (server.enableCORS = false would skip the whole Origin check instead), so this entry
point replaces them, before the server starts, with functions that know no address: an Origin is allowed if
it is localhost, 127.0.0.1, `browser.serverAddress` or listed in `server.corsAllowedOrigins`, and refused
otherwise (fail closed). The start-up banner, which uses the same functions for its "Network URL", shows only
the local URL. `citizen-focus serve` runs this module (docs/operations.md).
"""

from __future__ import annotations

import sys


def _no_address() -> str | None:
    """In place of a network look-up: no address known (callers skip it)."""
    return None


def main() -> None:
    from streamlit import net_util
    from streamlit.web import cli

    net_util.get_internal_ip = _no_address
    net_util.get_external_ip = _no_address
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()

"""The MCP front end (stdio and streamable HTTP) over the same library calls as the CLI and the API."""

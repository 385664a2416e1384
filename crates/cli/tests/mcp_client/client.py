"""Drives `tt mcp` with the official MCP Python SDK, as an assistant's host
would: it starts the server over stdio, lists the tools and calls the ones
named on the command line. Prints one JSON object with what it saw.

    client.py TT DATA_DIR [--allow-writes] CALLS_JSON
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError


async def main() -> None:
    tt, data_dir, *rest = sys.argv[1:]
    calls = json.loads(rest.pop())
    server = StdioServerParameters(
        command=tt,
        args=["--data-dir", data_dir, "mcp", *rest],
        env={**os.environ, "TZ": "UTC"},
    )
    out = {"calls": []}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["server"] = init.server_info.name
            tools = await session.list_tools()
            out["tools"] = sorted(t.name for t in tools.tools)
            out["schemas"] = {t.name: t.input_schema for t in tools.tools}
            for name, args in calls:
                try:
                    result = await session.call_tool(name, args)
                except MCPError as e:
                    # A protocol error, such as a tool the server does not offer.
                    out["calls"].append({"tool": name, "error": True, "protocol": True, "text": str(e)})
                    continue
                text = "".join(c.text for c in result.content if c.type == "text")
                out["calls"].append({"tool": name, "error": bool(result.is_error), "text": text})
    print(json.dumps(out))


asyncio.run(main())

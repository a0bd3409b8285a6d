"""The case desk (`/desk`): staff read a complaint and act on it in a browser, served by the API.

Pages are rendered on the server and work without JavaScript; `htmx` and a countdown script,
both served by the app, only enhance them. See docs/api.md#the-case-desk.
"""

"""The server's own routes beside the Streamlit app (``server.py`` serves them on the same
port): signing in and out, single sign-on, and the gate that sends a signed-out page load to
the sign-in page. Like pages/ and cli/, they only call committee/ and say what it answered."""

"""The page's Streamlit glue: widgets, session and URL state, caches. Logic lives in relunet/."""

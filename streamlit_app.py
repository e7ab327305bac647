"""relunet: how a tiny ReLU network builds its curve, and where its weights come from.

Two pages: the seven stages (the default, at /) and fitting the weights (/fit).
Each page's layout is in ui/; this file only sets up the navigation.
"""

import streamlit as st

st.set_page_config(page_title="relunet · how a ReLU network bends lines", page_icon="📈", layout="wide")

STAGES_PAGE = st.Page("ui/stages_page.py", title="Seven stages", icon=":material/show_chart:", default=True)
FIT_PAGE = st.Page("ui/fit_page.py", title="Fit the bias", icon=":material/trending_down:", url_path="fit")

page = st.navigation([STAGES_PAGE, FIT_PAGE])
page.run()

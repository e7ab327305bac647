"""relunet: how a tiny ReLU network bends straight lines into a curve."""

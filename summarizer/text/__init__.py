"""Text structure shared by every stage: the one segmentation of a cleaned document."""

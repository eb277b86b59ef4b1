"""The numbers: an advisor's and the campus's day counted from the records (学管师日工作轴)."""

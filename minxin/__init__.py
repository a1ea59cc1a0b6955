"""民心 minxin: the closed loop of citizens' appeals."""

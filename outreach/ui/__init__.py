"""outreach/ui"""

"""outreach/services"""

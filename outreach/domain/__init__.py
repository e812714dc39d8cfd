"""outreach/domain"""

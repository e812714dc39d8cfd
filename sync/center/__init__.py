"""sync/center"""

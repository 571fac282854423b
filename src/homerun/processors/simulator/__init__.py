"""processors/simulator"""

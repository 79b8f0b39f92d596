"""Concepts several features share: the council's properties (by UPRN), postcodes and how typed names are matched.

Electoral registration, council tax, service requests and bin collections all name a home by its UPRN, read a
postcode a resident typed, or check a typed name against a record; the rules live here once.
"""

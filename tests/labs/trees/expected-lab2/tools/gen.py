#!/usr/bin/env python3
"""Fixture Python: a lab 3 block in an executable file."""


def gen():
    # LAB 3 exercise 2: gen(). Your code here.
    raise NotImplementedError("stub_lab3_py")

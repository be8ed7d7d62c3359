"""Placeholder until the ingestion API lands."""

from fastapi import APIRouter

router = APIRouter()

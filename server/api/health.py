"""GET /api/health: is the server up, and how busy is it."""
from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> dict:
    return {"status": "ok", "sessions": request.app.state.sessions.counts()}

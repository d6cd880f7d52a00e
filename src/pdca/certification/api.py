"""API of a certification body: profile and accreditation, clients, applications and audit
time, programmes, decisions and certificates; public verification lives in public_api."""

from ninja import Router

from pdca.certification import auditor_api, certificate_api, intake_api, programme_api

router = Router()
router.add_router("", intake_api.router)
router.add_router("", programme_api.router)
router.add_router("", auditor_api.router)
router.add_router("", certificate_api.router)

from ninja import NinjaAPI

api = NinjaAPI(title="shixiao API", version="1")

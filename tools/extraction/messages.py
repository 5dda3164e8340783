"""Warnings extraction gives about a photo, as sentences a person understands (English and Chinese)."""
from __future__ import annotations

import re

from credlift.prompts import field_name

WARNINGS: dict[str, tuple[str, str]] = {
    "PHOTO_TOO_SMALL": ("The photo is too small ({width}x{height} pixels) to read the certificate; please send a photo "
                        "in which the certificate fills the frame.",
                        "照片太小（{width}x{height} 像素），无法识别证书；请让证书占满画面后重新拍摄。"),
    "PHOTO_BLURRY_NUMBER": ("The photo is too blurry to read the certificate number; please take it again in good light, "
                            "holding the phone steady.",
                            "照片太模糊，无法识别证书编号；请在光线充足处稳住手机重新拍摄。"),
    "PHOTO_TOO_BLURRY": ("The photo is too blurry to read the certificate; please take it again in good light, holding the "
                         "phone steady.", "照片太模糊，无法识别证书；请在光线充足处稳住手机重新拍摄。"),
    "PHOTO_BLURRY": ("The photo is blurry, so some fields may be misread; a sharper photo would help.",
                     "照片较模糊，部分内容可能识别有误；建议重新拍摄一张清晰的照片。"),
    "PHOTO_BLANK": ("The page looks blank: no printed text was found.", "页面看起来是空白的，没有找到任何文字。"),
    "PHOTO_DARK": ("The photo is very dark; please take it again in better light.", "照片太暗，请在光线更好的地方重新拍摄。"),
    "NO_TEXT": ("No text could be read in this photo; please send a photo of the whole certificate.",
                "照片中没有识别到文字；请拍摄完整的证书。"),
    "NOT_A_CREDENTIAL": ("This does not look like a certificate we accept: no certificate title or number was found.",
                         "这看起来不是我们受理的证书：没有找到证书名称或编号。"),
    "FIELD_MISSING": ("The {field} could not be read.", "未能识别{field_zh}。"),
    "PAGE_ROTATED": ("The photo was rotated by {degrees} degrees; it was turned upright before reading.",
                     "照片旋转了 {degrees} 度，已自动摆正后识别。"),
    "SCHOOL_FROM_CODE": ("The school name was hidden or unreadable; it was taken from the school code in the certificate number.",
                         "学校名称被遮挡或无法识别，已根据证书编号中的学校代码补全。"),
    "VLM_UNAVAILABLE": ("The vision model could not be reached; the certificate was read by OCR instead.",
                        "视觉模型暂时无法连接，已改用文字识别读取证书。"),
    "VLM_MALFORMED": ("The vision model gave an answer that could not be used; the certificate was read by OCR instead.",
                      "视觉模型的回答无法使用，已改用文字识别读取证书。"),
    "SECOND_OPINION_DISAGREES": ("The vision model and OCR read the {field} differently ({primary} / {ocr}); please check it.",
                                 "视觉模型与文字识别对{field_zh}的读取结果不同（{primary} / {ocr}），请核对。"),
    "SECOND_OPINION_TYPE": ("The vision model and OCR disagree on the credential type ({primary} / {ocr}).",
                            "视觉模型与文字识别对证书类型的判断不同（{primary} / {ocr}）。"),
}



def warning_text(code: str, lang: str = "en", **values: object) -> str:
    english, chinese = WARNINGS[code]
    field = str(values.get("field", ""))
    values = {**values, "field": field_name(field, "en"), "field_zh": field_name(field, "zh")}
    template = chinese if lang == "zh" else english
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)

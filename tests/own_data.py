"""A programme officer's own list, shared by the tests of own data
(tests/test_own_data.py) and of its columns on the web
(tests/test_web_columns.py): its own headers (番号, 団体名, プロジェクト名,
事業の説明 ...) and columns sagashi has no role for (助成額, 年度, 担当者).

Not a test module: pytest collects nothing here."""

from __future__ import annotations

HEADER = ["番号", "団体名", "プロジェクト名", "事業の説明", "活動地域", "助成額", "年度", "担当者"]
ROWS = [
    ["1", "NPO法人さっぽろ多文化ネット", "札幌の日本語教室", "札幌市で外国人住民に日本語を教える教室",
     "北海道札幌市", "1200000", "2024", "田中"],
    ["2", "一般社団法人みなと共生会", "外国人相談窓口", "大阪市港区で外国人の生活相談と通訳を行う",
     "大阪市港区", "800000", "2023", "鈴木"],
    ["3", "公益財団法人ひょうご国際交流", "神戸の多言語防災", "神戸市で外国人と多言語の防災訓練を行う",
     "兵庫県神戸市", "1500000", "2024", "田中"],
    ["4", "社会福祉法人くまもと福祉会", "熊本の子ども学習支援", "熊本市で外国人の子どもの学習を支援する",
     "熊本県熊本市", "500000", "2023", "佐藤"],
    ["5", "株式会社グローバルワーク", "就労支援セミナー", "新宿区で外国人の就職を支援するセミナー",
     "東京都新宿区", "300000", "2024", "鈴木"],
    ["6", "ひまわり会", "多文化カフェ", "地域の人と外国人が交流するカフェ", "福岡県福岡市", "200000",
     "2024", "田中"],
]
#: 事業の説明 is not a header sagashi knows: it is named, as a user would.
COLUMNS = "事業の説明=summary"

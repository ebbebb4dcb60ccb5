"""Small stop-word lists for sentence ranking (Chinese in both scripts, English).

They drop words that carry no topic: function words, pronouns, fillers and conversational glue. Chinese
single characters are dropped by the tokenizer anyway, so the Chinese list holds multi-character words.
"""

from __future__ import annotations

_ZH_HANT = """
我們 你們 他們 她們 它們 咱們 大家 自己 別人 人家 這個 那個 這些 那些 這裡 那裡 這裏 那裏 這樣 那樣 這種 那種
這麼 那麼 怎麼 什麼 甚麼 為什麼 如何 哪裡 哪些 一個 一些 一點 一下 一樣 一直 一定 一起 一種 一次 有些 有點
很多 許多 所有 每個 每次 任何 其他 其中 另外 另一 還是 還有 就是 不是 沒有 可以 可能 應該 需要 必須 能夠 已經
曾經 正在 將會 會是 就會 也是 都是 還會 只是 只有 只要 如果 雖然 但是 不過 然而 因為 所以 因此 於是 然後 而且
並且 以及 或者 或是 還要 除了 對於 關於 由於 通過 透過 根據 為了 之間 之後 之前 以後 以前 以上 以下 當中 時候
現在 目前 今天 昨天 明天 當時 其實 確實 真的 實際上 事實上 基本上 總體而言 總的來說 比如 例如 比如說 也就是說
非常 相當 特別 比較 真正 完全 十分 極為 更加 越來越 覺得 認為 知道 看到 看看 說話 來說 來講 的話 方面 問題
東西 事情 情況 部份 部分 地方 時間 時候 方式 意思 當然 顯然 好的 是的 對啊 沒錯 謝謝 感謝 我想 我覺得 我認為
你好 您好 恭喜 起來 出來 下來 進行 成為 得到 做到 做出 給予 提到 談到 想要 希望 試著 嘗試 開始 繼續 例子 一般
"""

_ZH_HANS = """
我们 你们 他们 她们 它们 咱们 这个 那个 这些 那些 这里 那里 这样 那样 这种 那种 这么 那么 怎么 什么 为什么
哪里 一个 一点 一样 一种 有点 许多 所有 每个 每次 其他 另一 还是 还有 不是 没有 应该 需要 必须 能够 已经 曾经
将会 会是 就会 还会 虽然 但是 不过 然而 因为 所以 因此 于是 然后 而且 并且 以及 或者 或是 还要 对于 关于 由于
通过 根据 为了 之间 之后 之前 以后 以前 当中 时候 现在 目前 今天 昨天 明天 当时 其实 确实 真的 实际上 事实上
基本上 总体而言 总的来说 比如 例如 比如说 也就是说 非常 相当 特别 比较 真正 完全 十分 极为 更加 越来越 觉得
认为 知道 看到 看看 说话 来说 来讲 的话 方面 问题 东西 事情 情况 部份 部分 地方 时间 方式 意思 当然 显然 好的
是的 对啊 没错 谢谢 感谢 我想 我觉得 我认为 你好 您好 恭喜 起来 出来 下来 进行 成为 得到 做到 做出 给予 提到
谈到 想要 希望 试着 尝试 开始 继续 例子 一般
"""

_EN = """
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've this those through to too under
until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves yes yeah yep okay ok oh uh um hmm well really actually basically just like know think thing things
going go goes gone get gets got getting kind sort lot lots right mean means say says said also one ones way
much many even still quite something anything everything nothing maybe perhaps us let lets sure thank thanks
very pretty though although however whether will shall may might must can't need needs want wants wanted
see seen look looking come comes came take took make made now today yesterday tomorrow time times course
already always often never ever every another around able else etc first second really hello hi great good
"""


def _split(block: str) -> frozenset[str]:
    return frozenset(block.split())


ZH: frozenset[str] = _split(_ZH_HANT) | _split(_ZH_HANS)
"""Chinese stop words, Traditional and Simplified."""

EN: frozenset[str] = _split(_EN)
"""English stop words (lower case)."""

"""The tour's words, in English and in Chinese: a title and a short text for every step.

Plain data. `{name}` fields are filled with numbers measured while the tour runs, so the text
always describes the figures next to it. Mathematics is written in Unicode (∂, θ, η, σ), so
the page needs no maths library.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

PAGE = {
    "en": {
        "title": "How a neural network works: a guided tour",
        "intro": "Eight steps, from “a model is a function” to a network that has learnt a function "
                 "by itself. Every number and every picture on this page was computed by nnwork when "
                 "the page was made; run `nnwork tour` to make it again, or read docs/tutorial.md to "
                 "do each step in Python.",
        "figure": "Figure",
        "footer": "Made by `nnwork tour --lang en`. The page is self-contained: it needs no network "
                  "connection and no other file.",
    },
    "zh": {
        "title": "神经网络如何工作：一次导览",
        "intro": "共八步：从“模型就是一个函数”出发，一直走到一个自己学会了某个函数的网络。本页的每个"
                 "数字、每张图都是 nnwork 在生成页面时实际算出来的；运行 `nnwork tour --lang zh` "
                 "可以重新生成，阅读 docs/tutorial.md 可以用 Python 亲手完成每一步。",
        "figure": "图",
        "footer": "由 `nnwork tour --lang zh` 生成。页面完全独立：不需要联网，也不依赖其他文件。",
    },
}

VERDICTS = {
    "en": {"too small": "too small", "good": "good", "too large": "too large"},
    "zh": {"too small": "太小", "good": "合适", "too large": "太大"},
}

# One sentence under each figure, saying what it shows ("Figure 1: …", 「图 1：…」).
CAPTIONS = {
    "en": {"model": "one network, three parameter sets Θ: three functions F, none of them G.",
           "network": "the wiring with each neuron's value, F over the plane, and F after moving one wire.",
           "towers": "one tower of five sigmoid neurons, with its leaking arms; four towers added into a stepped hill.",
           "loss": "the squared error as a function of ŷ, and the loss as a function of one parameter with its tangent.",
           "descent": "three learning rates on the same h, from the same x₀, over the same range of x.",
           "backprop": "every node's value and gradient; the red numbers are the local factors multiplied on the way back.",
           "step": "the loss along the step's direction, and every parameter before and after the step.",
           "fit": "G and the networks trained by plain gradient descent and by Adam; both loss curves."},
    "zh": {"model": "同一个网络取三组参数 Θ，得到三个不同的函数 F，都不是 G。",
           "network": "左边是连接方式和每个神经元的值，右边是 F 在平面上的取值，以及改动一根连线后的 F。",
           "towers": "由五个 sigmoid 神经元搭成的一个高台及其漏出的臂；四个高台相加成一座阶梯状的小山。",
           "loss": "平方误差随 ŷ 的变化，以及损失函数随一个参数的变化和它的切线。",
           "descent": "同一个 h、同一个起点 x₀、同一段 x 范围上的三种学习率。",
           "backprop": "每个节点的值和梯度；红色数字是往回传时要乘上的局部因子。",
           "step": "沿这一步方向的损失，以及每个参数在这一步前后的数值。",
           "fit": "G 与分别用普通梯度下降和 Adam 训练出的网络；两条损失曲线。"},
}

STEPS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "model": (
            "1. A model is a function",
            "Whatever a trained network does (recognise a picture, pick a move, forecast tomorrow's "
            "demand), it turns an input x into an output. So treat it as a function F(Θ, x) whose "
            "behaviour is fixed by a list of numbers Θ, its parameters. Somewhere there is the "
            "function we really want, the ground truth G(x). Training means searching for the Θ "
            "that brings F as close to G as possible. The figure shows one small network with three "
            "random parameter sets: three different functions, and none of them is G yet.",
        ),
        "network": (
            "2. A network of neurons",
            "A neuron is a tiny function f(θ, x) = σ(w·x + b): it weighs its inputs, adds a bias and "
            "squashes the sum into (0, 1) with the sigmoid σ. Its parameters θ = (w, b) are just a "
            "few numbers. A network feeds neurons into neurons. The example network has five neurons "
            "and {n_params} parameters and is one nested formula: "
            "F(Θ, x) = f(θ₅, f(θ₃, f(θ₂, x₂) + f(θ₁, x₁)), f(θ₄, f(θ₂, x₂))). Left: the wiring, with "
            "each neuron's value for x = ({x1}, {x2}). Right: the whole function F over its two "
            "inputs, with weights picked by hand so that its shape shows. Third panel: the same weights "
            "with one wire moved (f4 reads f1 instead of f2): a different function. The output depends "
            "on the numbers Θ and on the wiring.",
        ),
        "towers": (
            "3. Towers: a network can imitate any function",
            "Why should such networks be able to learn almost anything? Give a sigmoid neuron a huge "
            "weight (1000) and it becomes a step. Two steps along x and two along y, added and passed "
            "through one more sigmoid, make a flat-topped tower over a rectangle: five neurons in "
            "all. Left: one tower; the faint strips running out from it are its arms, where one pair of "
            "steps is on and the other off, and the tower keeps {leak} of its height. Right: four "
            "towers over the squares ±0.5, ±1, ±2 and ±4, added: the sum counts how many squares "
            "contain the point, a stepped version of a hill that peaks in the middle. With enough "
            "narrow towers side by side, any continuous function of two inputs can be matched on a "
            "bounded (compact) domain as closely as we like. It is not an efficient way to build a network, but it is a "
            "convincing reason why networks can work at all.",
        ),
        "loss": (
            "4. The loss: one number for “how wrong”",
            "To improve F automatically, the computer first needs a single number saying how wrong "
            "it is: the loss L(ŷ, y). A useful loss grows as the model gets worse and changes "
            "smoothly. Here L = (y − ŷ)²: for our sample the network answers ŷ = {yhat} where the "
            "truth is y = {y}, so L = {loss}. Right: L as a function of one parameter alone (the "
            "bias of the output neuron), everything else held fixed. Its slope where we stand, "
            "∂L/∂θ = {grad}, says which way to turn that dial; the dashed line is the tangent whose "
            "slope backpropagation computes.",
        ),
        "descent": (
            "5. Gradient descent in one dimension",
            "How do we walk downhill on a function h(x)? The derivative h′(x) tells which way is up, "
            "so step the other way: x ← x − η·h′(x). The learning rate η sets the stride. On "
            "h(x) = {function}, starting at x₀ = {x0}, three learning rates, each judged by the "
            "computer from the numbers of its own run: η = {lr0} is {v0}: it crawls, still on the "
            "slope after {steps} steps; η = {lr1} is {v1}: it settles at the bottom of the valley; "
            "η = {lr2} is {v2}: each stride jumps over the bottom and it bounces from wall to wall. "
            "Put θ in place of x and L in place of h, and the same rule trains a network.",
        ),
        "backprop": (
            "6. Backpropagation: the chain rule, node by node",
            "The loss does not contain θ directly: L depends on ŷ, ŷ on the neurons, the neurons on "
            "θ. The chain rule links them: ∂L/∂θ = ∂L/∂ŷ · ∂ŷ/∂θ. Backpropagation applies it "
            "backwards from the loss, one node at a time: each node takes the gradient arriving "
            "from above, multiplies it by its own local derivative, and passes the product down. "
            "Where one value feeds two neurons (f2 here) the two contributions add up. Each box shows "
            "a value and its gradient; each red number on an arrow, the local factor. For a neuron "
            "f = σ(z), z = w·x + b, that factor is ∂f/∂x = w·σ′(z), and the sigmoid's slope is "
            "σ′(z) = σ(z)(1 − σ(z)), so it can be redone by hand. The arrow f3 → f5: f5 = {f5}, "
            "σ′ = {f5} × {one_minus} = {slope}, times f5's weight on f3, w = {w}: {w} × {slope} = "
            "{factor}. All {n_params} gradients agree with finite differences to within {diff}.",
        ),
        "step": (
            "7. One step downhill",
            "With every gradient known, one step moves all parameters at once: "
            "θ ← θ − η·∂L/∂θ, here with η = {lr}. After step 5 called η = 0.2 too large, η = {lr} may "
            "look reckless, but a learning rate only means something together with its function: "
            "sigmoid slopes are at most ¼, so this network's gradient is small (‖∂L/∂θ‖ = {gnorm}) "
            "and the step moves θ by only η·‖∂L/∂θ‖ = {moved}. The loss on the sample falls from "
            "{before} to {after}. Left: the loss along the direction of the step. Near the start it follows the "
            "tangent, whose slope −Σ(∂L/∂θ)² is never positive, so a small enough step always helps. "
            "Right: every parameter moves against its own gradient.",
        ),
        "fit": (
            "8. Training: fitting G",
            "Training is step 7 repeated: compute the loss on the points of G, backpropagate, take "
            "the step θ ← θ − η·∂L/∂θ, and again. A {arch} tanh network ({params} parameters) "
            "learns G(x) = {target} from {samples} points this way: plain gradient descent with "
            "η = {gd_lr}, {steps} steps, takes the loss from {start} to {gd_end} (root-mean-square "
            "error {gd_rmse} between the training points). Adam is a refinement of the same rule, "
            "not a different idea: it still steps against the gradient, but scales each parameter's "
            "step by a running average of its own recent gradients. From the same start, with "
            "η = {adam_lr}, it reaches {adam_end} (error {adam_rmse}); its brief spikes are steps that "
            "overshoot, then recover. Both runs took {seconds} s. "
            "Left: G and both trained F. Right: both loss curves. Nobody set a single weight by hand.",
        ),
    },
    "zh": {
        "model": (
            "1. 模型就是一个函数",
            "无论训练好的网络在做什么——识别图片、选择下一步棋、预测明天的用电量——它都是把输入 x "
            "变成一个输出。因此可以把它看成一个函数 F(Θ, x)，它的行为由一串数字 Θ（参数）决定。"
            "我们真正想要的那个函数叫作理想函数 G(x)（ground truth）。所谓训练，就是寻找一组 Θ，让 F 尽量接近 G。"
            "图中是同一个小网络取三组随机参数时的样子：三个不同的函数，没有一个是 G。",
        ),
        "network": (
            "2. 由神经元搭成的网络",
            "一个神经元本身就是一个很小的函数 f(θ, x) = σ(w·x + b)：给输入加权、加上偏置，再用 "
            "sigmoid 函数 σ 把结果压到 0 和 1 之间。它的参数 θ = (w, b) 只有几个数。把神经元的输出"
            "接到别的神经元上，就得到网络。示例网络有 5 个神经元、{n_params} 个参数，整体是一个嵌套"
            "公式：F(Θ, x) = f(θ₅, f(θ₃, f(θ₂, x₂) + f(θ₁, x₁)), f(θ₄, f(θ₂, x₂)))。左图是连接方式，"
            "以及 x = ({x1}, {x2}) 时每个神经元的值；中间是 F 在两个输入上的整体形状，这里的权重是"
            "特意挑选的，好让形状看得清楚。右图权重完全不变，只改了一根连线（f4 改为读取 f1 而不是 "
            "f2），得到的就是另一个函数。可见输出既取决于参数 Θ，也取决于连接结构。",
        ),
        "towers": (
            "3. 高台：网络能模仿任意函数",
            "为什么这样的网络几乎什么都能学？把 sigmoid 神经元的权重调到 1000，它就变成一个台阶。"
            "x 方向两个台阶、y 方向两个台阶，相加后再经过一个 sigmoid，就得到矩形上方一个平顶的"
            "“高台”，一共只用 5 个神经元。左图是一个高台；从它向外伸出的淡色长条是它的“臂”：那里一对"
            "台阶打开、另一对关闭，高台仍保留 {leak} 的高度。右图把正方形 ±0.5、±1、±2、±4 上的四个"
            "高台相加：和等于包含该点的正方形个数，像一座中间最高的阶梯状小山。只要高台"
            "足够窄、足够多，就能在有界（紧）的定义域上以任意精度逼近任何连续的二元函数。这并不是搭建网络的高效办法，"
            "却足以说明网络为什么能行。",
        ),
        "loss": (
            "4. 损失：用一个数衡量“错了多少”",
            "要让计算机自动改进 F，先得有一个数说明它错了多少，这就是损失函数 L(ŷ, y)。好用的损失在"
            "模型变差时变大，并且变化平滑。这里用 L = (y − ŷ)²：对这个样本，网络给出 ŷ = {yhat}，"
            "真值是 y = {y}，所以 L = {loss}。右图固定其他参数，只改变输出神经元的偏置，画出 L 随它"
            "的变化。当前位置的斜率 ∂L/∂θ = {grad} 告诉我们这个参数该往哪边调；虚线就是反向传播"
            "算出斜率的那条切线。",
        ),
        "descent": (
            "5. 一维梯度下降",
            "怎样在函数 h(x) 上往低处走？导数 h′(x) 指出哪边是上坡，那就朝反方向迈一步："
            "x ← x − η·h′(x)。学习率（又称学习速率）η 决定步子的大小。在 h(x) = {function} 上从 x₀ = {x0} 出发，"
            "试三个学习率，下面的评语都是程序根据各自运行的数值自动给出的：η = {lr0} {v0}，走了 {steps} "
            "步仍在半山坡上慢慢挪；η = {lr1} {v1}，稳稳落到谷底；η = {lr2} {v2}，每一步都越过谷底，"
            "在两侧来回弹跳。把 x 换成 θ、把 h 换成 L，同一条规则就能训练网络。",
        ),
        "backprop": (
            "6. 反向传播：逐个节点应用链式法则",
            "损失里并不直接出现 θ：L 依赖 ŷ，ŷ 依赖各个神经元，神经元才依赖 θ。链式法则把它们串"
            "起来：∂L/∂θ = ∂L/∂ŷ · ∂ŷ/∂θ。反向传播从损失出发，一个节点一个节点地往回应用它：每个"
            "节点拿到从上游传来的梯度，乘上自己的局部导数，再把乘积传下去。如果一个值同时送进两个"
            "神经元（这里的 f2），两条路径的贡献相加。图中每个方框写着数值和梯度，每个箭头写着局部"
            "导数（箭头上的红色数字）。对神经元 f = σ(z)、z = w·x + b，这个因子是 ∂f/∂x = w·σ′(z)，"
            "而 sigmoid 的斜率是 σ′(z) = σ(z)(1 − σ(z))，所以可以亲手验算。以箭头 f3 → f5 为例："
            "f5 = {f5}，σ′ = {f5} × {one_minus} = {slope}，再乘以 f5 对 f3 的权重 w = {w}，得到 "
            "{w} × {slope} = {factor}。全部 {n_params} 个梯度与有限差分的结果相差不超过 {diff}。",
        ),
        "step": (
            "7. 向下走一步",
            "知道了所有梯度，就能让全部参数同时走一步：θ ← θ − η·∂L/∂θ，这里 η = {lr}。第 5 步"
            "刚说过 η = 0.2 太大，这里却用 η = {lr}，看起来很冒险；但学习率的大小只有结合具体函数才"
            "有意义：sigmoid 的斜率最大只有 ¼，所以这个网络的梯度很小（‖∂L/∂θ‖ = {gnorm}），这一步"
            "让 θ 实际只移动了 η·‖∂L/∂θ‖ = {moved}。这个样本上的损失从 {before} 降到 {after}。左图是沿这一步方向的损失曲线：起点附近它贴着切线，"
            "而切线的斜率 −Σ(∂L/∂θ)² 不会是正数，所以只要步子足够小，损失一定下降。右图是每个参数"
            "逆着自己的梯度移动。",
        ),
        "fit": (
            "8. 训练：拟合 G",
            "训练就是把第 7 步重复很多次：在 G 的点上计算损失，反向传播，按 θ ← θ − η·∂L/∂θ 更新"
            "参数，再来一遍。一个结构为 {arch}、激活函数为 tanh 的网络（{params} 个参数）就这样从 "
            "{samples} 个点学习 G(x) = {target}：普通梯度下降取 η = {gd_lr}，走 {steps} 步，损失从 "
            "{start} 降到 {gd_end}（训练点之间的均方根误差为 {gd_rmse}）。Adam 是同一条规则的改进，"
            "而不是另一种思路：它仍然逆着梯度走，只是按每个参数最近梯度的滑动平均来调整各自的步长。"
            "从同一个起点出发、取 η = {adam_lr}，它把损失降到 {adam_end}（误差 {adam_rmse}）；曲线上短暂的尖峰是某几步迈过了头，随后又恢复。两次训练"
            "共用 {seconds} 秒。左图是 G 和两种方法训练出的 F，右图是两条损失曲线。没有一个权重是"
            "手工设定的。",
        ),
    },
}

/// One entry of a model's layer list, lowered from the language (`- dense: 256`, `- relu`, ...): the layer a task
/// builds, with every argument resolved. `Network` plans buffers and parameters from these values.
///
/// Widths flow left to right: each layer's output width is the next one's input width.
public indirect enum LayerConfig: Hashable, Sendable, Codable {
  /// `y = x Wᵀ + b`, weight `[units, in]`, optional bias `[units]`.
  case dense(units: Int, bias: Bool)
  /// `y = x + f(x)` where `f` is the inner layer list; `f` must map the width back to the input width.
  case residual([LayerConfig])
  /// Normalises each row to zero mean and unit (biased) variance, then, when `affine`, a learnable gain and shift.
  case layerNorm(eps: Double, affine: Bool)
  /// Zeroes each element with probability `rate` in training and scales survivors by `1/(1-rate)`.
  case dropout(rate: Double)
  /// Random Fourier features `[cos(2π x Bᵀ), sin(2π x Bᵀ)]` (then `x` itself when `includeInput`), `B` of shape
  /// `[features, in]` drawn from N(0, σ²); `B` is trained when `trainable`.
  case fourierFeatures(features: Int, sigma: Double, trainable: Bool, includeInput: Bool)
  /// An activation function (stateless or with learnable shape parameters).
  case activation(ActivationConfig)
  /// A 2-D convolution of an image `[C, H, W]` (PyTorch's `nn.Conv2d` with square int arguments): `filters` output
  /// channels, weight `[filters, C, kernel, kernel]`, optional bias `[filters]`, `padding` zeros on every side.
  case conv2d(filters: Int, kernel: Int, stride: Int, padding: Int, bias: Bool)
  /// 2-D max pooling over `size`×`size` windows moved by `stride` (`nn.MaxPool2d`).
  case maxPool2d(size: Int, stride: Int)
  /// 2-D average pooling over `size`×`size` windows moved by `stride` (`nn.AvgPool2d`).
  case avgPool2d(size: Int, stride: Int)
  /// An image or a sequence read as one vector (`nn.Flatten`); the values do not move.
  case flatten
  /// The mean of each channel over an image's positions (`[C, H, W]` → `[C]`), or of each feature over a
  /// sequence's positions (`[L, F]` → `[F]`).
  case globalAvgPool
  /// An Elman recurrent layer over a sequence `[L, F]` (PyTorch's one-layer `nn.RNN`, batch first, h₀ = 0):
  /// `h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)`; the last state `[units]`, or every state `[L, units]` when
  /// `sequence`.
  case rnn(units: Int, nonlinearity: RNNNonlinearity, sequence: Bool)
  /// A gated recurrent unit over a sequence `[L, F]` (PyTorch's one-layer `nn.GRU`, gates r, z, n in that order);
  /// the last state `[units]`, or every state `[L, units]` when `sequence`.
  case gru(units: Int, sequence: Bool)
  /// Token ids `[L]` to a sequence `[L, dim]`: row `id` of a `[vocab, dim]` table (`nn.Embedding`), plus the
  /// positional encoding.
  case embedding(vocab: Int, dim: Int, positional: PositionalEncoding)
  /// Multi-head scaled dot-product self-attention over a sequence `[L, E]` (`nn.MultiheadAttention(E, heads)` with
  /// q = k = v = x), future positions masked when `causal`.
  case attention(heads: Int, causal: Bool)
  /// A transformer encoder layer (`nn.TransformerEncoderLayer` without dropout): attention and a two-layer MLP of
  /// `mlp` hidden units, each with a residual connection and a layer norm (before it with `pre`, after the sum with
  /// `post`). It runs as the layer list ``transformerBlockLayers``.
  case transformerBlock(heads: Int, mlp: Int, causal: Bool, norm: BlockNorm, activation: BlockActivation)
}

/// The nonlinearity of an Elman `rnn` layer (PyTorch's `nonlinearity` argument).
public enum RNNNonlinearity: String, Hashable, Sendable, Codable, CaseIterable {
  /// `tanh` (PyTorch's default).
  case tanh
  /// `max(0, x)` (IRNN with the identity initializer).
  case relu
}

/// What an embedding adds to each position's vector.
public enum PositionalEncoding: String, Hashable, Sendable, Codable, CaseIterable {
  /// Nothing: `nn.Embedding` alone.
  case none
  /// A learned `[L, dim]` table (drawn N(0, 1), as an `nn.Embedding(L, dim)`).
  case learned
  /// Vaswani et al.'s fixed sinusoids: `PE[p, 2i] = sin(p / 10000^(2i/dim))`, `PE[p, 2i+1] = cos(…)`.
  case sinusoidal
}

/// Where a transformer block normalises (`norm_first` in PyTorch).
public enum BlockNorm: String, Hashable, Sendable, Codable, CaseIterable {
  /// `x + f(LN(x))` (norm_first = True).
  case pre
  /// `LN(x + f(x))` (PyTorch's default).
  case post
}

/// A transformer block's MLP activation (`activation` of `nn.TransformerEncoderLayer`).
public enum BlockActivation: String, Hashable, Sendable, Codable, CaseIterable {
  /// PyTorch's default.
  case relu
  /// The exact (erf) GELU.
  case gelu
}

/// An activation layer of the language.
public enum ActivationConfig: Hashable, Sendable, Codable {
  /// `x`.
  case identity
  /// `max(0, x)`.
  case relu
  /// `x` for x > 0, `slope·x` otherwise.
  case leakyRelu(slope: Double)
  /// `x` for x > 0, `α(eˣ − 1)` otherwise.
  case elu(alpha: Double)
  /// Scaled ELU (Klambauer et al. 2017).
  case selu
  /// `x Φ(x)`, exact (erf) or the tanh approximation.
  case gelu(approximate: GELUApproximation)
  /// `x σ(x)`.
  case silu
  /// `tanh x`.
  case tanh
  /// `1 / (1 + e⁻ˣ)`.
  case sigmoid
  /// `log(1 + e^{βx}) / β`, linear above `threshold` (PyTorch's `Softplus`).
  case softplus(beta: Double, threshold: Double)
  /// `sin(ω x)` (SIREN).
  case sine(omega: Double)
  /// CRReLU: `relu(x) + ε·x·exp(−x²/2)`, one scalar ε (trained when `learnable`).
  case crrelu(epsilon: Double, learnable: Bool)
  /// KAT's group-rational activation `P(x)/Q(x)` of degrees `[numerator, denominator]`, one rational per group.
  case rational(groups: Int, numerator: Int, denominator: Int, initialization: RationalInitialization)
  /// Dice: `p·s + (1−p)·α·s`, `p = σ(β·(s − E[s]) / √(Var[s] + eps))` with batch statistics in training and running
  /// averages (updated with `momentum`) in evaluation; the paper's form has no β, the official code's a learnable β.
  case dice(form: DiceForm, alpha: Double, eps: Double, momentum: Double)
}

/// GELU's two forms.
public enum GELUApproximation: String, Hashable, Sendable, Codable, CaseIterable {
  /// The erf form.
  case none
  /// The tanh approximation.
  case tanh
}

/// The function a rational activation's coefficients start as.
public enum RationalInitialization: String, Hashable, Sendable, Codable, CaseIterable {
  /// `P(x) = x`, `Q = 1`.
  case identity
  /// A least-squares fit of Swish on [−3, 3].
  case swish
  /// A least-squares fit of GELU on [−3, 3].
  case gelu
}

/// Dice's two forms (Zhou et al., KDD 2018, and the official `din/Dice.py`).
public enum DiceForm: String, Hashable, Sendable, Codable, CaseIterable {
  /// `p = σ(normalised s)`.
  case paper
  /// `p = σ(β · normalised s)` with a learnable per-feature β starting at 0 (linear at initialisation).
  case official
}

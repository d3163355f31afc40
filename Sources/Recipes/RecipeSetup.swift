import Foundation
import Layers
import Models
import Tensors
import Training

// What a recipe's settings build: the model configuration, the optimizers, the learning-rate
// schedule and the trainer's settings. The defaults themselves live in Recipe.swift.

extension Recipe.ModelSection {
    /// The shared stacks' configuration for a vocabulary of `vocabSize`. Decoder-only models are
    /// GPT-2 shaped (pre-norm, final norm, learned positions, tied output, GELU-tanh) unless the
    /// recipe says otherwise; the other stacks default to the paper's post-norm Transformer.
    public func transformerConfig(vocabSize: Int) -> TransformerConfig {
        let decoderOnly = stack == .decoderOnly
        let act = Activation(rawValue: activation ?? (decoderOnly ? "gelu_tanh" : "relu")) ?? .relu
        let pos = TransformerConfig.PositionalKind(rawValue: positional ?? (decoderOnly ? "learned" : "sinusoidal")) ?? .sinusoidal
        let pre = normFirst ?? decoderOnly
        var c: TransformerConfig
        if decoderOnly {
            c = GPT.gptConfig(vocabSize: vocabSize, context: context, dModel: dModel, heads: heads,
                                        layers: decoderLayers, ffnDim: ffn, dropout: dropout, activation: act)
        } else {
            c = TransformerConfig(dModel: dModel, heads: heads, ffnDim: ffn ?? 4 * dModel, encoderLayers: encoderLayers,
                                  decoderLayers: decoderLayers, vocabSize: vocabSize, maxLength: context, dropout: dropout,
                                  activation: act)
        }
        c.normFirst = pre
        c.finalNorm = pre
        c.positional = pos
        return c
    }
}

extension Recipe.TrainingSection {
    /// The optimizers over `parameters`. AdamW with weight decay gets two groups, as nanoGPT and
    /// Hugging Face do: matrices and embeddings decay, biases and layer-norm gains (rank < 2) do not.
    public func makeOptimizers(parameters: [Tensor]) -> [any Optimizer] {
        let (b1, b2) = (betas[0], betas[1])
        switch optimizer {
        case .adam:
            return [Adam(parameters: parameters, learningRate: learningRate, beta1: b1, beta2: b2, eps: eps,
                         weightDecay: weightDecay ?? 0)]
        case .adamw:
            let decay = weightDecay ?? 0.01
            let decayed = parameters.filter { $0.rank >= 2 }, plain = parameters.filter { $0.rank < 2 }
            if decay == 0 || plain.isEmpty || decayed.isEmpty {
                return [Adam.adamW(parameters: parameters, learningRate: learningRate, beta1: b1, beta2: b2, eps: eps, weightDecay: decay)]
            }
            return [Adam.adamW(parameters: decayed, learningRate: learningRate, beta1: b1, beta2: b2, eps: eps, weightDecay: decay),
                    Adam.adamW(parameters: plain, learningRate: learningRate, beta1: b1, beta2: b2, eps: eps, weightDecay: 0)]
        case .sgd:
            return [SGD(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay ?? 0)]
        }
    }

    /// The learning rate as a function of the 0-based step, peaking at `learning_rate` after
    /// `warmup` steps; `totalSteps` is where cosine decay ends.
    public func makeSchedule(dModel: Int, totalSteps: Int) -> any LearningRateSchedule {
        switch schedule {
        case .cosine:
            return CosineSchedule(peak: learningRate, warmup: warmup, total: totalSteps, minimum: minLearningRate)
        case .inverseSqrt:
            return InverseSqrtSchedule(peak: learningRate, dModel: dModel, warmup: warmup)
        case .constant:
            return ConstantSchedule(value: learningRate, warmup: warmup)
        }
    }
}

extension TrainingSettings {
    /// The trainer's settings from a recipe, writing into `directory`; `steps` overrides the recipe's.
    public init(recipe: Recipe, directory: URL, steps: Int? = nil) {
        let t = recipe.training
        self.init(steps: steps ?? t.steps, batchTokens: t.batchTokens, directory: directory)
        accumulation = t.accumulation
        clip = t.clip
        seed = t.seed
        logEvery = t.logEvery
        evaluationEvery = recipe.evaluation.every
        evaluationBatches = recipe.evaluation.batches
        checkpointEvery = recipe.checkpoint.every
        keepCheckpoints = recipe.checkpoint.keep
    }
}

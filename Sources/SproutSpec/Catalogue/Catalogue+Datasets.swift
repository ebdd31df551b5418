import SproutConfig

extension Catalogue {
  /// Options every dataset kind accepts.
  static let datasetOptions: [ArgumentSpec] = [
    ArgumentSpec(
      "split", .map(.float), min: 0, exclusiveMin: true, max: 1,
      "Named fractions of the samples in declared order (`{train: 0.8, test: 0.2}`), referenced as NAME.SPLIT; "
        + "they must add up to at most 1."),
    ArgumentSpec(
      "standardize", .bool, default: .bool(false),
      "Scale every input feature to mean 0 and variance 1 (statistics of the first split)."),
    ArgumentSpec("one_hot", .bool, default: .bool(false), "Turn class labels into one-hot target vectors."),
  ]

  /// A dataset kind's source with the options every kind shares; `one_hot` is read only where the targets can be
  /// class labels (elsewhere writing it is a `spec.no-effect` error), `standardize` only where the inputs are features.
  static func dataset(
    _ a: inout Lowerer, _ source: DataSource, classLabels: Bool = true, features: Bool = true
  ) throws -> Lowered {
    var parts: [SplitPart] = []
    if let split = a.optionalArgument("split"), case .map(let entries) = split.value {
      for e in entries {
        guard let f = e.value.doubleValue else { throw a.fail("split", "split.\(e.key) is not a number") }
        parts.append(SplitPart(name: e.key, fraction: f))
      }
    }
    return .dataset(
      DatasetConfig(
        name: a.definitionName, source: source, split: parts,
        standardize: features ? try a.bool("standardize") : false,
        oneHot: classLabels ? try a.bool("one_hot") : false))
  }

  static let datasets: [KindSpec] = [
    KindSpec(
      .dataset, "teacher_student", "Inputs from N(0, I) and targets from a fixed random teacher MLP.",
      example:
        "teacher:\n  kind: teacher_student\n  inputs: 16\n  outputs: 1\n  samples: 2048\n  split: {train: 0.8, test: "
        + "0.2}",
      arguments: [
        ArgumentSpec("inputs", .int, required: true, min: 1, "Input features."),
        ArgumentSpec("outputs", .int, default: .int(1), min: 1, "Target width (classes for classification)."),
        ArgumentSpec("samples", .int, required: true, min: 1, "Number of samples."),
        ArgumentSpec("hidden", .int, default: .int(32), min: 0, "Teacher hidden width (0: a linear teacher)."),
        ArgumentSpec("depth", .int, default: .int(1), min: 0, "Teacher hidden layers."),
        ArgumentSpec(
          "activation", .enumeration(["relu", "tanh", "linear"]), default: .string("tanh"), "Teacher activation."),
        ArgumentSpec("noise", .float, default: .float(0), min: 0, "Std of Gaussian noise added to the targets."),
        ArgumentSpec(
          "task", .enumeration(["regression", "classification"]), default: .string("regression"),
          "Real targets, or the argmax of the teacher output as class labels (its sign for one output)."),
      ] + datasetOptions,
      lower: { a in
        let task = try a.choice("task", TargetTask.self)
        let source = DataSource.teacherStudent(
          inputs: try a.int("inputs"), outputs: try a.int("outputs"), samples: try a.int("samples"),
          hidden: try a.int("hidden"), depth: try a.int("depth"),
          activation: try a.choice("activation", TeacherActivation.self), noise: try a.double("noise"), task: task)
        if task == .regression { a.noEffect("one_hot", "regression targets are not class labels") }
        return try dataset(&a, source, classLabels: task == .classification)
      }),
    KindSpec(
      .dataset, "gaussian_blobs", "Classes drawn from isotropic Gaussians around random centres.",
      example:
        "blobs:\n  kind: gaussian_blobs\n  inputs: 20\n  classes: 2\n  samples: 1000\n  split: {train: 0.8, test: 0.2}",
      arguments: [
        ArgumentSpec("inputs", .int, default: .int(2), min: 1, "Input features."),
        ArgumentSpec("classes", .int, default: .int(2), min: 2, "Number of classes."),
        ArgumentSpec("samples", .int, required: true, min: 1, "Number of samples."),
        ArgumentSpec("std", .float, default: .float(1), min: 0, exclusiveMin: true, "Std of each blob."),
        ArgumentSpec("separation", .float, default: .float(4), min: 0, "Std of the centres' coordinates."),
      ] + datasetOptions,
      lower: { a in
        try dataset(
          &a,
          .gaussianBlobs(
            inputs: try a.int("inputs"), classes: try a.int("classes"), samples: try a.int("samples"),
            std: try a.double("std"), separation: try a.double("separation")))
      }),
    KindSpec(
      .dataset, "two_spirals", "Two interleaved 2-D spirals, labels 0 and 1.",
      example: "spirals:\n  kind: two_spirals\n  samples: 512\n  noise: 0.05\n  split: {train: 0.75, test: 0.25}",
      arguments: [
        ArgumentSpec("samples", .int, required: true, min: 2, "Number of samples (half per spiral)."),
        ArgumentSpec("turns", .float, default: .float(1.5), min: 0, exclusiveMin: true, "Turns of each spiral."),
        ArgumentSpec("noise", .float, default: .float(0), min: 0, "Std of Gaussian noise on the points."),
      ] + datasetOptions,
      lower: { a in
        try dataset(
          &a, .twoSpirals(samples: try a.int("samples"), turns: try a.double("turns"), noise: try a.double("noise")))
      }),
    KindSpec(
      .dataset, "sine", "A 1-D signal: a sum of sinusoids sampled on [-1, 1] (coordinate → value).",
      example: "signal:\n  kind: sine\n  samples: 2048\n  frequencies: [3, 17, 41]\n  amplitudes: [1, 0.5, 0.25]",
      arguments: [
        ArgumentSpec("samples", .int, required: true, min: 2, "Number of sample points."),
        ArgumentSpec("frequencies", .list(.float), required: true, "Frequencies in cycles per unit length."),
        ArgumentSpec("amplitudes", .list(.float), "Amplitude of each frequency (default 1 each)."),
        ArgumentSpec("phases", .list(.float), "Phase of each frequency in radians (default 0 each)."),
        ArgumentSpec("noise", .float, default: .float(0), min: 0, "Std of Gaussian noise on the values."),
      ] + datasetOptions,
      lower: { a in
        a.noEffect("one_hot", "a signal's targets are not class labels")
        return try dataset(
          &a,
          .sine(
            samples: try a.int("samples"), frequencies: try a.doubles("frequencies"),
            amplitudes: try a.optionalDoubles("amplitudes"), phases: try a.optionalDoubles("phases"),
            noise: try a.double("noise")), classLabels: false)
      }),
    KindSpec(
      .dataset, "image",
      "A 2-D target for coordinate networks: (x, y) in [-1, 1]² → intensity; a procedural pattern or an image file.",
      constraints: [.exactlyOne(["pattern", "file"])],
      example: "target:\n  kind: image\n  pattern: checkerboard\n  size: 64\n  period: 8",
      arguments: [
        ArgumentSpec("pattern", .enumeration(["checkerboard", "rings", "noise", "gradient"]), "A procedural pattern."),
        ArgumentSpec("file", .string, "A binary PGM/PPM image file (path relative to the spec)."),
        ArgumentSpec("size", .int, default: .int(64), min: 2, max: 4096, "Side in pixels (patterns only)."),
        ArgumentSpec("period", .float, default: .float(8), min: 0, exclusiveMin: true, "Pattern period in pixels."),
      ] + datasetOptions,
      lower: { a in
        a.noEffect("one_hot", "an image's targets are not class labels")
        if a.optionalArgument("file") != nil {
          a.noEffect("size", "it sets the side of a procedural pattern; an image file has its own size")
          a.noEffect("period", "it shapes a procedural pattern, not an image file")
          return try dataset(&a, .imageFile(try a.file("file")), classLabels: false)
        }
        return try dataset(
          &a, .pattern(try a.choice("pattern", ImagePattern.self), size: try a.int("size"), period: try a.double("period")),
          classLabels: false)
      }),
    KindSpec(
      .dataset, "npy",
      "Inputs and targets from NumPy .npy files (any numeric dtype, either byte order, C or Fortran order). A "
        + "targets array of one integer per sample is class labels (the largest label + 1 classes); any other is "
        + "real-valued targets.",
      example: "mine:\n  kind: npy\n  inputs: data/x.npy\n  targets: data/y.npy",
      arguments: [
        ArgumentSpec("inputs", .string, required: true, "Path of the inputs array (samples × features)."),
        ArgumentSpec("targets", .string, required: true, "Path of the targets array (samples or samples × outputs)."),
      ] + datasetOptions,
      lower: { a in try dataset(&a, .npy(inputs: try a.file("inputs"), targets: try a.file("targets"))) }),
    KindSpec(
      .dataset, "csv",
      "A CSV file (RFC 4180) whose other columns are the features; the target column holds class labels: "
        + "non-negative integers are class indices (the largest + 1 classes), anything else names the classes, "
        + "numbered in sorted order.",
      example: "table:\n  kind: csv\n  path: data/table.csv\n  target: label",
      arguments: [
        ArgumentSpec("path", .string, required: true, "Path of the file."),
        ArgumentSpec(
          "target", .oneOf([.string, .int]), required: true, "Target column: a header name or an index from 0."),
        ArgumentSpec("header", .bool, default: .bool(true), "Whether the first row names the columns."),
      ] + datasetOptions,
      lower: { a in
        let target = try a.argument("target")
        let column: CSVColumn
        switch target.value {
        case .int(let i): column = .index(i)
        case .string(let s): column = .name(s)
        default: throw a.fail("target", "target is a column name or an index")
        }
        let header = try a.bool("header")
        if case .name = column, !header {
          throw a.fail("target", "a file without a header row has no column names", help: "give the column's index")
        }
        return try dataset(&a, .csv(file: try a.file("path"), target: column, header: header))
      }),
    KindSpec(
      .dataset, "sequential",
      "Images [C, H, W] and their class labels from .npy files, read as sequences for recurrent layers: row by row "
        + "([H, C·W], sequential digits/MNIST) or pixel by pixel ([H·W, C]); with `permute`, the positions in one "
        + "fixed random order drawn from the dataset's stream (permuted sequential MNIST, Le et al. 2015).",
      paper: "Le, Jaitly, Hinton 2015 (IRNN)",
      example:
        "rows:\n  kind: sequential\n  inputs: data/digits/digits_images.npy\n  targets: data/digits/digits_labels.npy\n"
        + "  image: [1, 8, 8]",
      arguments: [
        ArgumentSpec("inputs", .string, required: true, "Path of the images array (samples × C·H·W, or its shape)."),
        ArgumentSpec("targets", .string, required: true, "Path of the labels array (one class index per sample)."),
        ArgumentSpec("image", .list(.int), required: true, "The image shape [C, H, W] (its product: the features)."),
        ArgumentSpec(
          "by", .enumeration(SequenceOrder.allCases.map(\.rawValue)), default: .string("row"),
          "`row`: one position per image row [H, C·W]; `pixel`: one per pixel [H·W, C]."),
        ArgumentSpec("permute", .bool, default: .bool(false), "Visit the positions in a fixed random order."),
      ] + datasetOptions,
      lower: { a in
        let image = try a.ints("image")
        guard image.count == 3, image.allSatisfy({ $0 >= 1 }) else {
          throw a.fail("image", "image is [channels, height, width], each at least 1")
        }
        return try dataset(
          &a,
          .sequential(
            inputs: try a.file("inputs"), targets: try a.file("targets"), image: image,
            order: try a.choice("by", SequenceOrder.self), permute: try a.bool("permute")))
      }),
    KindSpec(
      .dataset, "idx",
      "Images and labels in the IDX format of MNIST, plain or gzip-compressed as MNIST distributes them "
        + "(`train-images-idx3-ubyte.gz`, recognised by the gzip magic bytes, inflated through zlib; the gzip trailer "
        + "and the file's size are checked against the IDX header and the memory budget before anything is "
        + "allocated); the labels are class indices (the largest + 1 classes).",
      example:
        "mnist:\n  kind: idx\n  images: data/train-images-idx3-ubyte\n  labels: data/train-labels-idx1-ubyte\n  "
        + "one_hot: true",
      arguments: [
        ArgumentSpec("images", .string, required: true, "Path of the images file (IDX, or IDX.gz)."),
        ArgumentSpec("labels", .string, required: true, "Path of the labels file (IDX, or IDX.gz)."),
        ArgumentSpec("limit", .int, min: 1, "Use only the first N samples."),
      ] + datasetOptions,
      lower: { a in
        try dataset(
          &a, .idx(images: try a.file("images"), labels: try a.file("labels"), limit: try a.optionalInt("limit")))
      }),
  ]
}

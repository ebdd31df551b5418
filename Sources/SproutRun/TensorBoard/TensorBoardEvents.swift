import SproutDiagnostics
import SproutPlanner

/// The `tensorflow.Event` messages Sprout writes, serialized by hand (tensorboard/compat/proto/event.proto,
/// summary.proto; tensorboard/plugins/hparams/api.proto, plugin_data.proto).
///
/// ```
/// Event   { double wall_time = 1; int64 step = 2; Summary summary = 5 }
/// Summary { repeated Value value = 1 }
/// Value   { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9 }
/// SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; bytes content = 2 } }
/// ```
public enum TensorBoardEvents {
  /// One event holding scalar summaries at a step. TensorBoard's scalars are 32-bit floats (`simple_value`).
  public static func scalars(_ values: [(tag: String, value: Double)], step: Int, wallTime: Double) -> [UInt8] {
    var event = ProtoWriter()
    event.double(1, wallTime)
    event.int(2, Int64(step))
    event.message(5) { summary in
      for (tag, value) in values {
        summary.message(1) { v in
          v.string(1, tag)
          v.float(2, Float(value))
        }
      }
    }
    return event.bytes
  }

  /// An hparams plugin summary event: `tag` (`_hparams_/experiment`, `_hparams_/session_start_info`, …) with
  /// the serialized `HParamsPluginData` as the plugin content and a null tensor as the value, as TensorBoard's
  /// own `hparams.summary` writes it.
  static func hparams(tag: String, content: [UInt8], wallTime: Double) -> [UInt8] {
    var event = ProtoWriter()
    event.double(1, wallTime)
    event.int(2, 0)
    event.message(5) { summary in
      summary.message(1) { v in
        v.string(1, tag)
        v.message(8) { tensor in  // TensorProto { dtype = DT_FLOAT; tensor_shape {}; float_val: [0] }
          tensor.int(1, 1)
          tensor.message(2) { _ in }
          tensor.data(5, [0, 0, 0, 0])
        }
        v.message(9) { metadata in
          metadata.message(1) { plugin in
            plugin.string(1, "hparams")
            plugin.data(2, content)
          }
        }
      }
    }
    return event.bytes
  }

  /// `HParamsPluginData { version = 0; experiment { hparam_infos; metric_infos } }`: the columns of the HParams
  /// dashboard (one per axis, one per final metric tag).
  public static func experiment(axes: [(name: String, values: [JSONValue])], metricTags: [String], wallTime: Double)
    -> [UInt8]
  {
    var data = ProtoWriter()
    data.int(1, 0)
    data.message(2) { experiment in
      experiment.double(3, wallTime)
      for axis in axes {
        experiment.message(4) { info in
          info.string(1, axis.name)
          let numeric = axis.values.allSatisfy { $0.doubleValue != nil }
          let bool = axis.values.allSatisfy { if case .bool = $0 { return true } else { return false } }
          info.int(4, bool ? 2 : numeric ? 3 : 1)  // DATA_TYPE_BOOL, _FLOAT64, _STRING
          info.message(5) { list in  // domain_discrete: ListValue { repeated Value values = 1 }
            for value in axis.values { list.message(1) { protobufValue(value, into: &$0) } }
          }
        }
      }
      for tag in metricTags {
        experiment.message(5) { info in info.message(1) { name in name.string(2, tag) } }
      }
    }
    return hparams(tag: "_hparams_/experiment", content: data.bytes, wallTime: wallTime)
  }

  /// `HParamsPluginData { version = 0; session_start_info { hparams = {axis: value}; group_name; start_time_secs } }`.
  public static func sessionStart(_ values: [AxisAssignment], group: String, wallTime: Double) -> [UInt8] {
    var data = ProtoWriter()
    data.int(1, 0)
    data.message(3) { start in
      for v in values {
        start.message(1) { entry in  // map<string, google.protobuf.Value> entry { key = 1; value = 2 }
          entry.string(1, v.axis)
          entry.message(2) { protobufValue(v.value, into: &$0) }
        }
      }
      start.string(4, group)
      start.double(5, wallTime)
    }
    return hparams(tag: "_hparams_/session_start_info", content: data.bytes, wallTime: wallTime)
  }

  /// `HParamsPluginData { version = 0; session_end_info { status; end_time_secs } }`; status 1 success, 2 failure.
  public static func sessionEnd(success: Bool, wallTime: Double) -> [UInt8] {
    var data = ProtoWriter()
    data.int(1, 0)
    data.message(4) { end in
      end.int(1, success ? 1 : 2)
      end.double(2, wallTime)
    }
    return hparams(tag: "_hparams_/session_end_info", content: data.bytes, wallTime: wallTime)
  }

  /// `google.protobuf.Value`: number_value = 2, string_value = 3, bool_value = 4.
  static func protobufValue(_ v: JSONValue, into w: inout ProtoWriter) {
    switch v {
    case .int(let i): w.double(2, Double(i))
    case .double(let d): w.double(2, d)
    case .bool(let b): w.bool(4, b)
    case .string(let s): w.string(3, s)
    default: w.string(3, v.canonical)
    }
  }
}

package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

class WeightWritersTest {
    /** Debian's Python with torch; {@code -Dresnet4j.python=...} points elsewhere (used to test the CI rule). */
    static final Path PYTHON = Path.of(System.getProperty("resnet4j.python", "/usr/bin/python3"));
    /** Parity bar of the design: max |ours - ref| / max |ref| against torchvision, fp32 weights. */
    static final double PARITY = 1e-5;

    static final ObjectMapper JSON = new ObjectMapper();

    /** torchvision-buildable specs (default stem and widths), small enough to write quickly. */
    static final ResNetSpec BASIC =
            ResNetSpec.of(BlockKind.BASIC, List.of(1, 1, 1, 1), 1, 64).withNumClasses(10);

    static final ResNetSpec RESNEXT =
            ResNetSpec.of(BlockKind.BOTTLENECK, List.of(1, 2, 1, 1), 2, 32).withNumClasses(7);

    /** Random weights for the spec; with counters, an int64 num_batches_tracked (shape []) after each running_var. */
    static StateDict weights(ResNetSpec spec, long seed, boolean counters) {
        StateDict plain = RandomInit.weights(GraphBuilder.build(spec, false), seed);
        if (!counters) {
            return plain;
        }
        Random rnd = new Random(seed);
        StateDict sd = new StateDict();
        plain.asMap().forEach((k, t) -> {
            sd.put(k, t);
            if (k.endsWith(".running_var")) {
                sd.put(
                        k.replace("running_var", "num_batches_tracked"),
                        Tensor.of(new int[0], new float[] {rnd.nextInt(100_000)}, DType.INT64));
            }
        });
        return sd;
    }

    // ---------------------------------------------------------------- structure, no Python needed

    @Test
    void safetensorsLayoutFollowsTheSpec(@TempDir Path dir) throws IOException {
        StateDict sd = weights(BASIC, 1, true);
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(sd, file);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, (8 + n) % 8, "data must start 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        int jsonEnd = header.lastIndexOf('}') + 1;
        assertTrue(jsonEnd > header.length() - 8, "at most 7 bytes of padding");
        assertTrue(header.substring(jsonEnd).chars().allMatch(c -> c == ' '), "padding is spaces after the JSON");
        JsonNode root = JSON.readTree(header);
        assertEquals("pt", root.get("__metadata__").get("format").asText());
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        assertEquals("__metadata__", names.remove(0));
        assertEquals(List.copyOf(sd.names()), names);
        long expectOffset = 0;
        int dataStart = (int) (8 + n);
        for (String name : names) {
            JsonNode e = root.get(name);
            Tensor t = sd.get(name);
            boolean isLong = t.sourceType() == DType.INT64;
            assertEquals(isLong ? "I64" : "F32", e.get("dtype").asText(), name);
            assertArrayEquals(t.shape(), JSON.convertValue(e.get("shape"), int[].class), name);
            long begin = e.get("data_offsets").get(0).asLong();
            long end = e.get("data_offsets").get(1).asLong();
            assertEquals(expectOffset, begin, name + " contiguous");
            assertEquals((long) t.numel() * (isLong ? 8 : 4), end - begin, name);
            ByteBuffer data = ByteBuffer.wrap(bytes, dataStart + (int) begin, (int) (end - begin))
                    .slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.numel(); i++) {
                if (isLong) {
                    assertEquals((long) t.get(i), data.getLong(i * 8), name);
                } else {
                    assertEquals(Float.floatToRawIntBits(t.get(i)), data.getInt(i * 4), name);
                }
            }
            expectOffset = end;
        }
        assertEquals(dataStart + expectOffset, bytes.length);
    }

    @Test
    void pthZipHasTorchsRecordsAlignedAndChecksummed(@TempDir Path dir) throws IOException {
        StateDict sd = weights(BASIC, 2, true);
        Path file = dir.resolve("w.pth");
        PthWriter.write(sd, file);
        byte[] bytes = Files.readAllBytes(file);

        // walk the local headers: STORED, data 64-byte aligned, FB extra field
        List<String> names = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (b.getInt(pos) == 0x04034b50) {
            assertEquals(0, b.getShort(pos + 8), "STORED");
            int size = b.getInt(pos + 18);
            int nameLen = b.getShort(pos + 26);
            int extraLen = b.getShort(pos + 28);
            String name = new String(bytes, pos + 30, nameLen, StandardCharsets.UTF_8);
            names.add(name);
            assertEquals('F', bytes[pos + 30 + nameLen]);
            assertEquals('B', bytes[pos + 31 + nameLen]);
            int dataStart = pos + 30 + nameLen + extraLen;
            assertEquals(0, dataStart % PthWriter.ALIGNMENT, name + " aligned");
            pos = dataStart + size;
        }
        List<String> expected = new ArrayList<>(List.of("archive/data.pkl", "archive/byteorder"));
        for (int i = 0; i < sd.size(); i++) {
            expected.add("archive/data/" + i);
        }
        expected.add("archive/version");
        assertEquals(expected, names);

        // java.util.zip reads it through the central directory and verifies every CRC
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                contents.put(e.getName(), z.readAllBytes());
            }
        }
        assertEquals(expected, List.copyOf(contents.keySet()));
        assertEquals("3\n", new String(contents.get("archive/version"), StandardCharsets.US_ASCII));
        assertEquals("little", new String(contents.get("archive/byteorder"), StandardCharsets.US_ASCII));
        Tensor first = sd.asMap().values().iterator().next();
        ByteBuffer d0 = ByteBuffer.wrap(contents.get("archive/data/0")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(first.numel() * 4, d0.capacity());
        assertEquals(first.get(5), d0.getFloat(20));
        try (var zf = new java.util.zip.ZipFile(file.toFile())) {
            assertEquals(expected.size(), zf.size());
        }
    }

    @Test
    void pickleIsProtocol2WithTorchGlobalsOnly() {
        byte[] pkl = PthWriter.pickle(weights(BASIC, 3, true));
        String text = new String(pkl, StandardCharsets.ISO_8859_1);
        assertEquals(0x80, pkl[0] & 0xff);
        assertEquals(2, pkl[1]);
        assertEquals('.', pkl[pkl.length - 1]);
        // GLOBAL opcodes are 'c' module '\n' name '\n'; torch.load(weights_only=True) allows these
        for (String g : List.of(
                "ccollections\nOrderedDict\n",
                "ctorch._utils\n_rebuild_tensor_v2\n",
                "ctorch\nFloatStorage\n",
                "ctorch\nLongStorage\n")) {
            assertTrue(text.contains(g), g);
        }
    }

    @Test
    void byteBackedTensorsAreWrittenFromTheirBuffers(@TempDir Path dir) throws IOException {
        // tensors over (direct) little-endian bytes, as the readers hand out memory-mapped views
        StateDict heap = weights(BASIC, 4, false);
        StateDict direct = new StateDict();
        heap.asMap().forEach((k, t) -> {
            ByteBuffer bytes = ByteBuffer.allocateDirect(t.numel() * 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            bytes.putInt(0xdeadbeef); // a view that does not start at the buffer's start
            bytes.put(t.toLittleEndianBytes());
            bytes.flip().position(4);
            direct.put(k, Tensor.overLittleEndian(t.shape(), bytes.slice(4, t.numel() * 4)));
        });
        SafetensorsWriter.write(heap, dir.resolve("a.safetensors"));
        SafetensorsWriter.write(direct, dir.resolve("b.safetensors"));
        PthWriter.write(heap, dir.resolve("a.pth"));
        PthWriter.write(direct, dir.resolve("b.pth"));
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("a.safetensors")), Files.readAllBytes(dir.resolve("b.safetensors")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.pth")), Files.readAllBytes(dir.resolve("b.pth")));
        // writing is repeatable and leaves the tensors' buffers untouched
        PthWriter.write(direct, dir.resolve("c.pth"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.pth")), Files.readAllBytes(dir.resolve("c.pth")));
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of("a.pth", "a.safetensors", "b.pth", "b.safetensors", "c.pth"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary files left");
        }
    }

    @Test
    void checkpointLoaderReadsBothWrittenFormatsBack(@TempDir Path dir) throws IOException {
        StateDict sd = weights(RESNEXT, 6, true);
        Path pth = dir.resolve("w.pth");
        Path st = dir.resolve("w.safetensors");
        PthWriter.write(sd, pth);
        SafetensorsWriter.write(sd, st);
        for (Path file : List.of(pth, st)) {
            LoadedCheckpoint loaded = CheckpointLoader.load(file);
            assertEquals(file == pth ? CheckpointFormat.PYTORCH_ZIP : CheckpointFormat.SAFETENSORS, loaded.format());
            StateDict back = loaded.tensors();
            assertEquals(List.copyOf(sd.names()), List.copyOf(back.names()), file.toString());
            for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
                Tensor t = back.get(e.getKey());
                assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
                assertEquals(
                        e.getValue().sourceType() == DType.INT64 ? DType.INT64 : DType.FLOAT32,
                        t.sourceType(),
                        e.getKey());
                assertArrayEquals(e.getValue().toArray(), t.toArray(), e.getKey());
            }
            assertEquals(
                    RESNEXT,
                    ArchitectureInference.infer(NamingSchemes.map(back).tensors())
                            .spec());
        }
    }

    // ---------------------------------------------------------------- live: Java writes, torch reads

    /** Reads both files in torch, loads them strict into torchvision's ResNet, prints a JSON report. */
    static final String CHECK_SCRIPT = """
            import sys, json, hashlib, struct, zipfile, inspect
            import numpy as np
            import torch
            from torchvision.models.resnet import ResNet, BasicBlock, Bottleneck
            torch.set_num_threads(2)
            cfg = json.loads(sys.argv[1])
            pth, st = cfg["pth"], cfg["safetensors"]

            with zipfile.ZipFile(pth) as z:
                assert z.testzip() is None, "bad CRC"
                with open(pth, "rb") as f:
                    for info in z.infolist():
                        assert info.compress_type == zipfile.ZIP_STORED, info.filename
                        f.seek(info.header_offset)
                        h = f.read(30)
                        n, e = struct.unpack("<HH", h[26:30])
                        assert (info.header_offset + 30 + n + e) % 64 == 0, info.filename

            sd = torch.load(pth, map_location="cpu")
            if "weights_only" in inspect.signature(torch.load).parameters:
                safe = torch.load(pth, map_location="cpu", weights_only=True)
                assert list(safe) == list(sd)
                for k in sd:
                    assert torch.equal(safe[k], sd[k]), k

            def model():
                block = BasicBlock if cfg["block"] == "basic" else Bottleneck
                return ResNet(block, cfg["layers"], num_classes=cfg["num_classes"],
                              groups=cfg["groups"], width_per_group=cfg["width_per_group"]).eval()

            m = model()
            m.load_state_dict(sd, strict=True)

            data = open(st, "rb").read()
            (n,) = struct.unpack("<Q", data[:8])
            assert (8 + n) % 8 == 0
            header = json.loads(data[8:8 + n].decode("utf-8"))
            assert header.pop("__metadata__") == {"format": "pt"}
            body = data[8 + n:]
            end = 0
            from_st = {}
            for name, meta in header.items():
                b, e = meta["data_offsets"]
                assert b == end, name
                end = e
                dtype = {"F32": "<f4", "I64": "<i8"}[meta["dtype"]]
                arr = np.frombuffer(body[b:e], dtype=dtype).reshape(meta["shape"])
                from_st[name] = torch.from_numpy(arr.copy())
            assert end == len(body)
            assert list(from_st) == list(sd), "same names, same order"
            for k in sd:
                assert sd[k].dtype == from_st[k].dtype and torch.equal(sd[k], from_st[k]), k

            m2 = model()
            m2.load_state_dict(from_st, strict=True)
            x = torch.from_numpy(np.load(cfg["input"]))
            with torch.no_grad():
                y = m(x)
                y2 = m2(x)
            assert torch.equal(y, y2), "safetensors and .pth give identical outputs"
            np.save(cfg["output"], y.numpy())

            def le_bytes(t):
                a = t.contiguous().numpy()
                return a.astype(a.dtype.newbyteorder("<")).tobytes()

            print(json.dumps({"torch": torch.__version__, "tensors": [
                {"name": k, "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                 "sha256": hashlib.sha256(le_bytes(v)).hexdigest()} for k, v in sd.items()]}))
            """;

    static void requireTorch() {
        org.resnet4j.testing.PythonReference.require();
    }

    @Test
    void torchLoadsJavaWrittenBasicResNetStrictWithCounters(@TempDir Path dir) throws Exception {
        liveRoundTrip(dir, BASIC, true);
    }

    @Test
    void torchLoadsJavaWrittenResNeXtStrictWithoutCounters(@TempDir Path dir) throws Exception {
        liveRoundTrip(dir, RESNEXT, false);
    }

    private static void liveRoundTrip(Path dir, ResNetSpec spec, boolean counters) throws Exception {
        requireTorch();
        StateDict sd = weights(spec, 11, counters);
        Path pth = dir.resolve("model.pth");
        Path st = dir.resolve("model.safetensors");
        PthWriter.write(sd, pth);
        SafetensorsWriter.write(sd, st);
        Tensor x = RandomInit.normal(5, 2, 3, 64, 64);
        Path input = dir.resolve("x.npy");
        Path output = dir.resolve("y.npy");
        Npy.write(x, input);
        Path script = dir.resolve("check.py");
        Files.writeString(script, CHECK_SCRIPT);

        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("pth", pth.toString());
        cfg.put("safetensors", st.toString());
        cfg.put("input", input.toString());
        cfg.put("output", output.toString());
        cfg.put("block", spec.block().label());
        cfg.put("layers", spec.layers());
        cfg.put("num_classes", spec.numClasses());
        cfg.put("groups", spec.groups());
        cfg.put("width_per_group", spec.widthPerGroup());
        String stdout = runPython(script, JSON.writeValueAsString(cfg));
        String[] lines = stdout.strip().split("\n");
        JsonNode report = JSON.readTree(lines[lines.length - 1]);

        // torch read every tensor with the same name, order, dtype, shape and bytes
        Iterator<JsonNode> it = report.get("tensors").elements();
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            assertTrue(it.hasNext(), "torch has fewer tensors than written");
            JsonNode t = it.next();
            Tensor ours = e.getValue();
            boolean isLong = ours.sourceType() == DType.INT64;
            assertEquals(e.getKey(), t.get("name").asText());
            assertEquals(isLong ? "int64" : "float32", t.get("dtype").asText(), e.getKey());
            assertArrayEquals(ours.shape(), JSON.convertValue(t.get("shape"), int[].class), e.getKey());
            assertEquals(sha256(ours), t.get("sha256").asText(), e.getKey() + " bytes");
        }
        assertTrue(!it.hasNext(), "torch has more tensors than written");

        // torchvision's logits on the Java-written weights agree with ORT on the same weights
        ResNetGraph graph = GraphBuilder.build(spec, false);
        byte[] onnx = ModelAssembler.assemble(graph, sd, 17, "round-trip").toByteArray();
        Tensor torchY = Npy.read(output);
        try (OrtEngine engine = new OrtEngine(onnx, EngineOptions.defaults(), "round-trip")) {
            Tensor ortY = engine.run(x);
            double err = Comparison.of("writer round trip", ortY, torchY).relative();
            System.out.printf(
                    "writer round trip %s [%s]: torch %s, ORT vs torchvision parity error %.3g%n",
                    spec.block(),
                    counters ? "with counters" : "no counters",
                    report.get("torch").asText(),
                    err);
            assertTrue(err <= PARITY, "parity error " + err);
        }
    }

    private static String sha256(Tensor t) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (t.sourceType() == DType.INT64) {
            PthWriter.writeLongs(t, b);
        } else {
            PthWriter.writeBuffer(t.toLittleEndianBytes(), b);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.toByteArray()));
    }

    private static String runPython(Path script, String arg) throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), arg)
                .redirectErrorStream(true)
                .start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("python check timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python check failed:\n" + text);
        return text;
    }
}

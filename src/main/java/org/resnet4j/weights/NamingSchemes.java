package org.resnet4j.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * The naming schemes a ResNet checkpoint can use, as a table, and the mapping of a state_dict's
 * keys onto torchvision's canonical names ({@code layer2.0.downsample.1.running_var}).
 *
 * <p>Each {@link Scheme} has a name, a detector (a test on the whole key set) and an ordered list
 * of {@link Rule rules} (a regular expression on one key and a template for the canonical key). The
 * first scheme in {@link #SCHEMES} whose detector accepts the keys is used; each key is renamed by
 * the first rule of that scheme that matches it. The table:
 *
 * <table>
 * <caption>naming schemes</caption>
 * <tr><th>scheme</th><th>who writes it</th><th>example key</th><th>canonical key</th></tr>
 * <tr><td>{@code torchvision}</td><td>torchvision {@code resnet*}, timm {@code resnet*} (same names)</td>
 *     <td>{@code layer1.0.conv1.weight}</td><td>unchanged</td></tr>
 * <tr><td>{@code huggingface}</td><td>transformers {@code ResNetForImageClassification} and
 *     {@code ResNetModel} (no {@code resnet.} prefix, no classifier)</td>
 *     <td>{@code resnet.encoder.stages.1.layers.0.shortcut.normalization.running_var}</td>
 *     <td>{@code layer2.0.downsample.1.running_var}</td></tr>
 * </table>
 *
 * <p>Hugging Face's {@code config.json} options {@code downsample_in_bottleneck} (stride on the
 * bottleneck's first 1x1 conv, "ResNet v1") and {@code downsample_in_first_stage} change the
 * network without changing any name or shape, so they cannot be seen in the weights: the mapping
 * assumes their defaults (false, false: torchvision's "v1.5"), which {@code microsoft/resnet-*} use.
 *
 * <p>Wrapper prefixes ({@code module.}, {@code _orig_mod.}, Lightning's {@code model.}) are the
 * checkpoint readers' business and are expected to be gone before this mapping runs.
 *
 * <p>Keys that the chosen scheme has no rule for are kept under their own name and listed in
 * {@link MappedWeights#unmapped()}, so that the strict binding reports them together with every
 * other mismatch. Tensors are kept by reference: mapping copies no data.
 */
public final class NamingSchemes {
    private NamingSchemes() {}

    /**
     * One rename rule: a key that matches {@code pattern} entirely becomes {@code template} with
     * {@code {n}} replaced by capture group n and {@code {n+k}} by group n plus the integer k (for
     * Hugging Face's 0-based stage and conv indices).
     */
    public record Rule(Pattern pattern, String template) {
        /** Digits of an index {@code {n+k}} shifts: any layer index fits, and the sum cannot overflow. */
        public static final int MAX_INDEX_DIGITS = 9;

        private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d+)(?:\\+(\\d+))?}");

        public static Rule of(String regex, String template) {
            return new Rule(Pattern.compile(regex), template);
        }

        /**
         * The canonical key for {@code key}, or empty when this rule does not match it.
         *
         * @throws FormatException when an index to shift ({@code {n+k}}) is beyond what a layer
         *                         index can be (more than {@value #MAX_INDEX_DIGITS} digits)
         */
        public Optional<String> apply(String key) {
            Matcher m = pattern.matcher(key);
            if (!m.matches()) {
                return Optional.empty();
            }
            Matcher p = PLACEHOLDER.matcher(template);
            StringBuilder out = new StringBuilder();
            while (p.find()) {
                String group = m.group(Integer.parseInt(p.group(1)));
                String value =
                        p.group(2) == null ? group : Long.toString(index(key, group) + Long.parseLong(p.group(2)));
                p.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            p.appendTail(out);
            return Optional.of(out.toString());
        }

        /** A layer index from a key: digits only (the rules capture {@code \d+}), at most 9 of them. */
        private static long index(String key, String digits) {
            if (digits.length() > MAX_INDEX_DIGITS) {
                throw new FormatException("key '" + abbreviate(key) + "' has an index of " + digits.length()
                        + " digits (" + abbreviate(digits) + "), at most " + MAX_INDEX_DIGITS + " are read");
            }
            return Long.parseLong(digits);
        }
    }

    /**
     * A naming scheme: its name (as {@code inspect} prints it), a detector over the whole key set
     * with a human description of what it looks for, and the rename rules, tried in order.
     */
    public record Scheme(String name, String detects, Predicate<Collection<String>> detector, List<Rule> rules) {
        public Scheme {
            rules = List.copyOf(rules);
        }

        public boolean matches(Collection<String> keys) {
            return detector.test(keys);
        }

        /** The canonical name of {@code key} under this scheme, or empty when no rule covers it. */
        public Optional<String> canonical(String key) {
            for (Rule r : rules) {
                Optional<String> out = r.apply(key);
                if (out.isPresent()) {
                    return out;
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The result of {@link #map(StateDict)}.
     *
     * @param scheme   name of the scheme the keys were recognised as
     * @param tensors  the same tensors (not copied) under canonical names, in the file's order
     * @param renamed  original key → canonical key, for every key the scheme renamed or kept
     * @param unmapped original keys no rule of the scheme covers, kept under their own names
     */
    public record MappedWeights(String scheme, StateDict tensors, Map<String, String> renamed, List<String> unmapped) {
        public MappedWeights {
            renamed = Map.copyOf(renamed);
            unmapped = List.copyOf(unmapped);
        }
    }

    private static final String BN = "(weight|bias|running_mean|running_var|num_batches_tracked)";
    private static final Pattern TORCHVISION_KEY = Pattern.compile(
            "conv1\\.weight|bn1\\." + BN + "|fc\\.(weight|bias)" + "|layer\\d+\\.\\d+\\.(conv\\d+\\.weight|bn\\d+\\."
                    + BN + "|downsample\\.0\\.weight|downsample\\.1\\." + BN + ")");
    private static final String HF = "(?:resnet\\.)?";
    private static final String HF_LAYER = HF + "encoder\\.stages\\.(\\d+)\\.layers\\.(\\d+)\\.";

    /** The schemes, in the order they are tried. */
    public static final List<Scheme> SCHEMES = List.of(
            new Scheme(
                    "torchvision",
                    "conv1.weight or layer1.0.conv1.weight",
                    keys -> keys.contains("conv1.weight") || keys.contains("layer1.0.conv1.weight"),
                    List.of(new Rule(TORCHVISION_KEY, "{0}"))),
            new Scheme(
                    "huggingface",
                    "[resnet.]embedder.embedder.convolution.weight or [resnet.]encoder.stages.0.layers.0.*",
                    keys -> keys.stream()
                            .anyMatch(
                                    k -> k.matches(
                                            HF
                                                    + "(embedder\\.embedder\\.convolution\\.weight|encoder\\.stages\\.0\\.layers\\.0\\..*)")),
                    List.of(
                            Rule.of(HF + "embedder\\.embedder\\.convolution\\.weight", "conv1.weight"),
                            Rule.of(HF + "embedder\\.embedder\\.normalization\\." + BN, "bn1.{1}"),
                            Rule.of(
                                    HF_LAYER + "layer\\.(\\d+)\\.convolution\\.weight",
                                    "layer{1+1}.{2}.conv{3+1}.weight"),
                            Rule.of(HF_LAYER + "layer\\.(\\d+)\\.normalization\\." + BN, "layer{1+1}.{2}.bn{3+1}.{4}"),
                            Rule.of(HF_LAYER + "shortcut\\.convolution\\.weight", "layer{1+1}.{2}.downsample.0.weight"),
                            Rule.of(HF_LAYER + "shortcut\\.normalization\\." + BN, "layer{1+1}.{2}.downsample.1.{3}"),
                            Rule.of("classifier\\.1\\.(weight|bias)", "fc.{1}"))));

    /** Names of the schemes, in the order they are tried. */
    public static List<String> names() {
        return SCHEMES.stream().map(Scheme::name).toList();
    }

    /** The scheme called {@code name}, if any. */
    public static Optional<Scheme> byName(String name) {
        return SCHEMES.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The first scheme whose detector accepts {@code keys}. */
    public static Optional<Scheme> detect(Collection<String> keys) {
        return SCHEMES.stream().filter(s -> s.matches(keys)).findFirst();
    }

    /**
     * Maps {@code weights} onto torchvision's names.
     *
     * @throws FormatException when no scheme recognises the keys (the message lists a few keys and
     *                         the schemes tried), or when two keys map onto the same canonical key
     */
    public static MappedWeights map(StateDict weights) {
        Scheme scheme = detect(weights.names()).orElseThrow(() -> noScheme(weights.names()));
        return map(weights, scheme);
    }

    /** Maps {@code weights} with a given scheme. */
    public static MappedWeights map(StateDict weights, Scheme scheme) {
        Map<String, String> names = mapNames(weights.names(), scheme);
        StateDict out = new StateDict();
        Map<String, String> renamed = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
            String canonical = names.get(e.getKey());
            if (canonical == null) {
                unmapped.add(e.getKey());
                canonical = e.getKey();
            } else {
                renamed.put(e.getKey(), canonical);
            }
            out.put(canonical, e.getValue());
        }
        return new MappedWeights(scheme.name(), out, renamed, unmapped);
    }

    /**
     * Maps shapes (or any per-key values) the same way, for callers that have names and shapes but
     * no tensors (a header-only look at a file). Unmapped keys keep their names.
     */
    public static <V> Map<String, V> mapKeys(Map<String, V> byName) {
        Scheme scheme = detect(byName.keySet()).orElseThrow(() -> noScheme(byName.keySet()));
        Map<String, String> names = mapNames(byName.keySet(), scheme);
        Map<String, V> out = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : byName.entrySet()) {
            out.put(names.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
        return out;
    }

    /** original → canonical for each key a rule covers; fails on two keys with one canonical name. */
    private static Map<String, String> mapNames(Collection<String> keys, Scheme scheme) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> reverse = new LinkedHashMap<>();
        for (String key : keys) {
            Optional<String> canonical = scheme.canonical(key);
            if (canonical.isEmpty()) {
                continue;
            }
            String c = canonical.get();
            String other = reverse.putIfAbsent(c, key);
            if (other != null) {
                throw new FormatException("naming scheme " + scheme.name() + ": keys '" + abbreviate(other) + "' and '"
                        + abbreviate(key) + "' both map to '" + abbreviate(c) + "'");
            }
            out.put(key, c);
        }
        // a canonical name must not collide with a key kept unmapped under the same name
        for (String key : keys) {
            if (!out.containsKey(key) && reverse.containsKey(key)) {
                throw new FormatException("naming scheme " + scheme.name() + ": key '" + abbreviate(reverse.get(key))
                        + "' maps to '" + abbreviate(key) + "', which the file also holds");
            }
        }
        return out;
    }

    /** A key as messages show it: at most 120 characters (a key from a file can be megabytes long). */
    static String abbreviate(String key) {
        return key.length() <= 120 ? key : key.substring(0, 120) + "... (" + key.length() + " characters)";
    }

    private static FormatException noScheme(Collection<String> keys) {
        List<String> sample =
                keys.stream().limit(5).map(NamingSchemes::abbreviate).toList();
        String tried = SCHEMES.stream()
                .map(s -> s.name() + " (looks for " + s.detects() + ")")
                .collect(Collectors.joining(", "));
        return new FormatException("the tensor names match no known ResNet naming scheme: " + keys.size()
                + " tensors, e.g. " + (sample.isEmpty() ? "none" : String.join(", ", sample))
                + (keys.size() > sample.size() ? ", ..." : "") + "; schemes tried: " + tried);
    }
}

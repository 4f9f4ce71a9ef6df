package org.resnet4j.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.resnet4j.Prediction;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The columns resnet4j adds to a row, their Spark types, and their values as Spark rows:
 * <pre>
 * top       array&lt;struct&lt;index:int, label:string, probability:float&gt;&gt;   (classify mode)
 * embedding array&lt;float&gt;                                                 (embed mode)
 * error     string, null when the row succeeded
 * </pre>
 * A failed row has a null {@code top} or {@code embedding} and the message in {@code error}.
 */
final class ImageRows {
    public static final String ERROR = "error";

    /** One class of a top-k list. */
    public static final StructType PREDICTION = new StructType(new StructField[] {
        DataTypes.createStructField("index", DataTypes.IntegerType, false),
        DataTypes.createStructField("label", DataTypes.StringType, true),
        DataTypes.createStructField("probability", DataTypes.FloatType, false)
    });

    public static final ArrayType TOP = DataTypes.createArrayType(PREDICTION, false);
    public static final ArrayType EMBEDDING = DataTypes.createArrayType(DataTypes.FloatType, false);

    private ImageRows() {}

    /** The type of the column {@code mode} adds. */
    public static DataType type(Mode mode) {
        return mode == Mode.CLASSIFY ? TOP : EMBEDDING;
    }

    /** {@code schema} followed by the mode's column and {@code error}. */
    public static StructType withOutputs(StructType schema, Mode mode) {
        return schema.add(mode.column(), type(mode), true).add(ERROR, DataTypes.StringType, true);
    }

    /** The value of the mode's column for one scored image (null for a failed one). */
    public static Object value(ImageScorer.Scored s) {
        if (s.top() != null) {
            List<Row> top = new ArrayList<>(s.top().size());
            for (Prediction p : s.top()) {
                top.add(RowFactory.create(p.index(), p.label(), (float) p.probability()));
            }
            return CollectionConverters.asScala(top).toSeq(); // Spark's row encoder takes Scala sequences
        }
        return s.embedding();
    }
}

package org.resnet4j.spark;

import org.apache.spark.sql.SparkSession;

/** The test JVM's one local Spark (local[2], as the issue asks), shared by the Spark test classes. */
final class SparkSessions {
    private static SparkSession spark;

    private SparkSessions() {}

    static synchronized SparkSession local() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("resnet4j tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
        }
        return spark;
    }
}

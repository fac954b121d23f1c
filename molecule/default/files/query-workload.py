#!/usr/bin/env python3
"""A shop backend in the shape of the review's Node.js application, with the problems it warns of.

  query-workload.py SOCKET fill      the schema and its rows (an unused and a redundant index)
  query-workload.py SOCKET work      committed updates, an N+1 loop, a join on a column without an
                                     index, a deep-OFFSET listing, a listing its index serves (last:
                                     MariaDB keeps the last 1000 statements for the report to EXPLAIN)
  query-workload.py SOCKET hold S    a transaction that reads, deletes many rows and stays open S
                                     seconds (then rolls back), as a night job would
Every value carries "qlit" so that a test can look for literals in the report.
"""

import random
import sys
import time
from datetime import datetime, timedelta

import pymysql

socket, phase = sys.argv[1], sys.argv[2]
connection = pymysql.connect(unix_socket=socket, user="root", autocommit=True)
cursor = connection.cursor()
random.seed(7)
CITIES = ["qlit-paris", "qlit-lyon", "qlit-nice", "qlit-lille"]

if phase == "fill":
    # every value a parameter, none computed by the server: pymysql then sends each table's rows
    # as a few multi-row INSERTs rather than one statement (and one commit) per row
    now = datetime.now().replace(microsecond=0)
    cursor.execute("DROP DATABASE IF EXISTS shop")
    cursor.execute("CREATE DATABASE shop")
    cursor.execute("USE shop")
    cursor.execute(
        "CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(60), email VARCHAR(80),"
        " city VARCHAR(40), created_at DATETIME)"
    )
    # idx_category is redundant (idx_category_price starts with it); nothing searches by name
    cursor.execute(
        "CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, category_id INT NOT NULL, name VARCHAR(80),"
        " price DECIMAL(10,2), KEY idx_category (category_id), KEY idx_category_price (category_id, price),"
        " KEY idx_name (name))"
    )
    # orders.customer_id has no index: the join below reads orders whole
    cursor.execute(
        "CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, product_id INT NOT NULL,"
        " amount DECIMAL(10,2), created_at DATETIME)"
    )
    cursor.execute(
        "CREATE TABLE comments (id INT PRIMARY KEY AUTO_INCREMENT, product_id INT NOT NULL, body VARCHAR(200),"
        " created_at DATETIME, KEY idx_product (product_id))"
    )
    cursor.executemany(
        "INSERT INTO customers (name, email, city, created_at) VALUES (%s, %s, %s, %s)",
        [(f"qlit-customer-{i}", f"qlit-{i}@example.test", random.choice(CITIES), now) for i in range(5000)],
    )
    cursor.executemany(
        "INSERT INTO products (category_id, name, price) VALUES (%s, %s, %s)",
        [(random.randint(1, 50), f"qlit-product-{i}", random.randint(1, 500)) for i in range(2000)],
    )
    cursor.executemany(
        "INSERT INTO orders (customer_id, product_id, amount, created_at) VALUES (%s, %s, %s, %s)",
        [(random.randint(1, 5000), random.randint(1, 2000), random.randint(1, 900), now) for _ in range(50000)],
    )
    cursor.executemany(
        "INSERT INTO comments (product_id, body, created_at) VALUES (%s, %s, %s)",
        [
            (random.randint(1, 2000), "qlit-comment", now - timedelta(minutes=random.randint(1, 500000)))
            for _ in range(60000)
        ],
    )
elif phase == "work":
    cursor.execute("USE shop")
    # committed changes whose old versions the open transaction keeps from being purged
    for order in range(1, 2001):
        cursor.execute("UPDATE orders SET amount = amount + 1 WHERE id = %s", (order,))
    for _ in range(5):
        # N+1: the latest orders, then each order's customer one query at a time
        cursor.execute("SELECT id, customer_id FROM orders ORDER BY id DESC LIMIT 200")
        for _, customer in cursor.fetchall():
            cursor.execute("SELECT name, email FROM customers WHERE id = %s", (customer,))
            cursor.fetchall()
    for city in CITIES[:3]:
        cursor.execute(
            "SELECT c.name, SUM(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id"
            " WHERE c.city = %s AND c.id < 300 GROUP BY c.id",
            (city,),
        )
        cursor.fetchall()
    for page in (500, 501, 502):
        cursor.execute(
            "SELECT id, body, created_at FROM comments ORDER BY created_at DESC LIMIT 20 OFFSET %s", (page * 20,)
        )
        cursor.fetchall()
    for category in range(1, 20):
        cursor.execute("SELECT id, name, price FROM products WHERE category_id = %s ORDER BY price", (category,))
        cursor.fetchall()
elif phase == "hold":
    cursor.execute("USE shop")
    cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
    cursor.execute("SELECT COUNT(*) FROM comments")
    cursor.execute("DELETE FROM comments WHERE id <= 20000")
    time.sleep(float(sys.argv[3]))
    cursor.execute("ROLLBACK")
connection.close()
